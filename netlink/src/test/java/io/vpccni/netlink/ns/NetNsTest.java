package io.vpccni.netlink.ns;

import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.testing.ScratchNamespaces;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("privileged")
class NetNsTest {
    @RegisterExtension
    final ScratchNamespaces namespaces = new ScratchNamespaces("vpccni-nltest");

    private ScratchNetns scratch;
    @TempDir
    Path dir;

    @BeforeEach
    void createNamespace() {
        scratch = namespaces.create();
    }

    private static String threadNamespace() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    }

    @Test
    void runExecutesInsideTheNamespaceAndLeavesTheCallerWhereItWas() throws IOException {
        String before = threadNamespace();
        Object expectedInode = Files.getAttribute(Path.of("/var/run/netns", scratch.name()), "unix:ino");
        try (NetNs ns = NetNs.named(scratch.name())) {
            String inside = ns.run(NetNsTest::threadNamespace);
            assertThat(inside).isEqualTo("net:[" + expectedInode + "]").isNotEqualTo(before);
        }
        assertThat(threadNamespace()).isEqualTo(before);
    }

    @Test
    void runPropagatesTheTasksCheckedExceptionAsItself() {
        try (NetNs ns = NetNs.named(scratch.name())) {
            assertThatThrownBy(() -> ns.run(() -> {
                throw new IOException("no /proc/sys here");
            })).isExactlyInstanceOf(IOException.class).hasMessage("no /proc/sys here");
        }
    }

    @Test
    void runCanWriteTheNamespacesOwnSysctls() throws IOException {
        try (NetNs ns = NetNs.named(scratch.name())) {
            ns.run(() -> Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "1"));
        }
        assertThat(scratch.exec("cat", "/proc/sys/net/ipv4/ip_forward").output().trim()).isEqualTo("1");
    }

    @Test
    void currentIsTheCallersNamespace() throws IOException {
        try (NetNs current = NetNs.current()) {
            Object inode = Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino");
            assertThat(current.run(NetNsTest::threadNamespace)).isEqualTo("net:[" + inode + "]");
        }
    }

    @Test
    void openingAMissingNamespaceIsNoSuchObject() {
        assertThatThrownBy(() -> NetNs.named("vpccni-nltest-does-not-exist"))
                .isInstanceOf(NetlinkException.NoSuchObject.class)
                .hasMessageContaining("open /var/run/netns/vpccni-nltest-does-not-exist");
    }

    @Test
    void enteringSomethingThatIsNotANetworkNamespaceFails() {
        try (NetNs notNet = NetNs.open(Path.of("/proc/self/ns/uts"))) {
            assertThatThrownBy(() -> notNet.run(() -> "never"))
                    .isInstanceOf(NetlinkException.class)
                    .hasMessageContaining("Invalid argument (EINVAL)");
        }
    }

    @Test
    void closeIsIdempotentAndTheDescriptorIsThenUnusable() {
        NetNs ns = NetNs.named(scratch.name());
        ns.close();
        ns.close();
        assertThatThrownBy(ns::fd).isInstanceOf(IllegalStateException.class);
    }

    // openForeign: what a path from a request may name. Only opening happens; nothing is done in any
    // namespace, so a broken check could not change this machine's.

    /** Fails the test if opening takes more than a few seconds: a FIFO must not block the thread. */
    private static NetNs open(Path path, List<NetNs> refused) throws Exception {
        CompletableFuture<NetNs> opened = CompletableFuture.supplyAsync(() -> NetNs.openForeign(path, refused));
        try {
            return opened.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    @Test
    void aForeignNamespaceOpensByItsNameAndThroughAProcessLink() throws Exception {
        try (NetNs ns = open(Path.of(scratch.path()), List.of())) {
            assertThat(ns.run(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString()))
                    .isEqualTo("net:[" + Files.getAttribute(Path.of(scratch.path()), "unix:ino") + "]");
        }
        Process sleeper = new ProcessBuilder(List.of("ip", "netns", "exec", scratch.name(), "sleep", "30")).start();
        try {
            Path link = Path.of("/proc/" + sleeper.pid() + "/ns/net");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!Files.readSymbolicLink(link).toString().contains(
                    String.valueOf(Files.getAttribute(Path.of(scratch.path()), "unix:ino")))) {
                assertThat(System.nanoTime()).as("ip netns exec entered the namespace").isLessThan(deadline);
                Thread.sleep(10);
            }
            try (NetNs ns = open(link, List.of())) {
                assertThat(ns.path()).isEqualTo(link);
            }
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    void thisProcesssOwnNamespaceIsRefusedHoweverItIsNamed() throws Exception {
        Path viaSymlink = Files.createSymbolicLink(dir.resolve("link"), Path.of("/proc/self/ns/net"));
        for (Path own : List.of(Path.of("/proc/self/ns/net"), Path.of("/proc/thread-self/ns/net"),
                Path.of("/proc/" + ProcessHandle.current().pid() + "/ns/net"), viaSymlink)) {
            assertThatThrownBy(() -> open(own, List.of())).as(own.toString())
                    .isInstanceOf(NetNs.Rejected.class).hasMessageContaining("this process's own network namespace");
        }
    }

    @Test
    void aRefusedNamespaceIsRefused() throws Exception {
        try (NetNs host = NetNs.open(Path.of(scratch.path()))) {
            assertThatThrownBy(() -> open(Path.of(scratch.path()), List.of(host)))
                    .isInstanceOf(NetNs.Rejected.class).hasMessageContaining("is the host's network namespace");
        }
    }

    @Test
    void filesThatAreNotNetworkNamespacesAreRefusedWithoutBlocking() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Path fifo = dir.resolve("fifo");
        Shell.run("mkfifo", fifo.toString());
        Path directory = Files.createDirectory(dir.resolve("dir"));
        assertThatThrownBy(() -> open(file, List.of())).isInstanceOf(NetNs.Rejected.class)
                .hasMessageContaining("is a regular file, not a network namespace");
        assertThatThrownBy(() -> open(fifo, List.of())).isInstanceOf(NetNs.Rejected.class)
                .hasMessageContaining("is a FIFO, not a network namespace");
        assertThatThrownBy(() -> open(directory, List.of())).isInstanceOf(NetNs.Rejected.class)
                .hasMessageContaining("is a directory, not a network namespace");
        assertThatThrownBy(() -> open(Path.of("/dev/null"), List.of())).isInstanceOf(NetNs.Rejected.class)
                .hasMessageContaining("is a device, not a network namespace");
        assertThatThrownBy(() -> open(Path.of("/proc/self/ns/uts"), List.of())).isInstanceOf(NetNs.Rejected.class)
                .hasMessageContaining("is a namespace of another kind, not a network namespace");
    }

    @Test
    void aDanglingPathIsNoSuchObject() throws Exception {
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nothing"));
        assertThatThrownBy(() -> open(dangling, List.of())).isInstanceOf(NetlinkException.NoSuchObject.class);
    }
}
