package io.vpccni.netlink.ns;

import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("privileged")
class NetNsTest {
    private ScratchNetns scratch;

    @BeforeEach
    void createNamespace() {
        Shell.assumePrivileged();
        scratch = ScratchNetns.create();
    }

    @AfterEach
    void deleteNamespace() {
        if (scratch != null) {
            scratch.close();
        }
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
}
