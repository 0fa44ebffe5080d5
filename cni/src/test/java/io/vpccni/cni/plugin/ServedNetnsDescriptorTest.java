package io.vpccni.cni.plugin;

import io.vpccni.cni.server.PluginFrames;
import io.vpccni.cni.server.PluginServer;
import io.vpccni.cni.server.ShimRequests;
import io.vpccni.cni.testing.Conf;
import io.vpccni.cni.testing.PluginCall;
import io.vpccni.cni.testing.PoolBackedIpamd;
import io.vpccni.netlink.sys.LibC;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pod's namespace handed over as a descriptor (SCM_RIGHTS), as the shim passes it: the server works in the
 * namespace it was given and never opens the runtime's path (here one the daemon cannot see at all), judges the
 * descriptor as it would judge a path, and closes every descriptor it receives, whatever the request.
 */
@Tag("privileged")
class ServedNetnsDescriptorTest {
    /** What the runtime's path would be in its own mount namespace; nothing is there in the daemon's. */
    private static final String RUNTIME_PATH = "/var/run/netns/vpccni-invisible-to-the-daemon";

    private NodeFixture f;
    /** The daemon's side: the node namespace is its host namespace. */
    private PluginServer server;
    /** The node as it was before the test. */
    private String before;

    @BeforeEach
    void servedNode() throws Exception {
        Shell.assumePrivileged();
        f = new NodeFixture(PoolBackedIpamd.primary(4));
        before = f.node.snapshot();
        server = f.serve();
    }

    @AfterEach
    void removeNode() throws Exception {
        if (f == null) {
            return;
        }
        f.close();
    }

    private byte[] request(String command, String container, String netns) {
        Map<String, String> env = new HashMap<>(PluginCall.of(command, container, netns, "pod-" + container).env());
        env.put(Dispatcher.SOCKET_ENV, f.socket.toString());
        return ShimRequests.encode(new PluginFrames.Request(env, Conf.of("1.0.0").getBytes(StandardCharsets.UTF_8)));
    }

    /** Sends {@code request} with {@code descriptors} on its first bytes, then reads the whole reply. */
    private String exchange(byte[] request, int... descriptors) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(server.socketPath()));
            int sent = descriptors.length == 0 ? 0
                    : LibC.sendWithDescriptors(LibC.channelDescriptor(c), request, 0, request.length, descriptors);
            ByteBuffer out = ByteBuffer.wrap(request, sent, request.length - sent);
            while (out.hasRemaining()) {
                c.write(out);
            }
            c.shutdownOutput();
            ByteBuffer in = ByteBuffer.allocate(1 << 16);
            try {
                while (c.read(in) >= 0) {
                    // to end of stream
                }
            } catch (IOException reset) {
                return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8) + "<" + reset.getMessage() + ">";
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }

    private static int open(String path) {
        return LibC.openReadOnly(path);
    }

    @Test
    void anAddAndItsDelWorkInTheNamespacePassedWhateverThePathMeansHere() throws Exception {
        ScratchNetns pod = f.pod();
        int ns = open(pod.path());
        try {
            String add = exchange(request("ADD", "d1", RUNTIME_PATH), ns);

            assertThat(add).startsWith("vpc-cni-plugin/1\nexit 0 ").contains("10.0.0.10/32")
                    .contains("\"sandbox\":\"" + RUNTIME_PATH + "\"");
            assertThat(pod.run("ip", "-4", "addr", "show", "dev", "eth0")).contains("10.0.0.10/32");

            String del = exchange(request("DEL", "d1", RUNTIME_PATH), ns);

            assertThat(del).startsWith("vpc-cni-plugin/1\nexit 0 ");
        } finally {
            LibC.close(ns);
        }
        assertThat(f.ipamd().assignedIps()).isEmpty();
        assertThat(f.node.snapshot()).isEqualTo(before);
        assertThat(pod.exec("ip", "link", "show", "dev", "eth0").exit()).as("eth0 in the pod").isNotZero();
        assertThat(Files.exists(Path.of(RUNTIME_PATH))).isFalse();
    }

    @Test
    void aDescriptorThatIsNoPodsNetworkNamespaceIsRefusedWithErrorFourAndNothingChanges() throws Exception {
        Path file = Files.createTempFile(f.dir, "not-a-namespace", "");
        Map<String, String> refusals = new java.util.LinkedHashMap<>();
        refusals.put("/proc/self/ns/net", "is this process's own network namespace");
        refusals.put(f.node.path(), "is the host's network namespace");
        refusals.put(file.toString(), "is a regular file, not a network namespace");
        refusals.put("/proc/self/ns/mnt", "is a namespace of another kind");
        for (var refusal : refusals.entrySet()) {
            int fd = open(refusal.getKey());
            try {
                String reply = exchange(request("ADD", "d2", RUNTIME_PATH), fd);

                assertThat(reply).as(refusal.getKey()).startsWith("vpc-cni-plugin/1\nexit 1 ")
                        .contains("\"code\":4").contains(RUNTIME_PATH + " " + refusal.getValue());
            } finally {
                LibC.close(fd);
            }
        }
        assertThat(f.ipamd().handled()).isEmpty();
        assertThat(f.node.snapshot()).isEqualTo(before);
    }

    @Test
    void twoDescriptorsOrOneWithoutCniNetnsAreMalformedRequests() throws Exception {
        ScratchNetns pod = f.pod();
        int ns = open(pod.path());
        int other = open(pod.path());
        try {
            assertThat(exchange(request("ADD", "d3", RUNTIME_PATH), ns, other))
                    .startsWith("vpc-cni-plugin/1\nexit 1 ").contains("\"code\":6")
                    .contains("the request carried 2 descriptors; at most one is taken");
            assertThat(exchange(request("ADD", "d3", ""), ns))
                    .startsWith("vpc-cni-plugin/1\nexit 1 ").contains("\"code\":6")
                    .contains("a descriptor came with a request without CNI_NETNS");
        } finally {
            LibC.close(ns);
            LibC.close(other);
        }
        assertThat(f.ipamd().handled()).isEmpty();
    }

    /**
     * Every descriptor received is closed, on every path: served ADDs and DELs, refused descriptors, malformed
     * frames with one, two or more than recvmsg takes (the kernel truncates the control data), and a client that
     * leaves before its request is complete.
     */
    @Test
    void noDescriptorLeaksWhateverTheRequests() throws Exception {
        ScratchNetns pod = f.pod();
        int ns = open(pod.path());
        Path file = Files.createTempFile(f.dir, "not-a-namespace", "");
        try {
            round(ns, file, 0); // the first use of each path loads what it needs once
            settle();
            long start = System.nanoTime();
            int baseline = openDescriptors();
            int rounds = 25;
            for (int i = 1; i <= rounds; i++) {
                round(ns, file, i);
            }
            long took = System.nanoTime() - start;

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // generous: CI machines may be loaded
            while ((openDescriptors() > baseline || server.connections().open() > 0) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // At most as many: a descriptor the JVM or an earlier test held for a moment may be gone since; one leak
            // per round would be 25 more.
            assertThat(openDescriptors()).as("open descriptors after " + rounds + " rounds")
                    .isLessThanOrEqualTo(baseline);
            System.out.printf("descriptors: %d before, %d after %d rounds of %d requests in %d ms%n", baseline,
                    openDescriptors(), rounds, REQUESTS_PER_ROUND, TimeUnit.NANOSECONDS.toMillis(took));
        } finally {
            LibC.close(ns);
        }
        assertThat(server.connections().open()).isZero();
        assertThat(f.ipamd().assignedIps()).isEmpty();
        assertThat(f.node.snapshot()).isEqualTo(before);
    }

    private static final int REQUESTS_PER_ROUND = 8;

    /** Until the last client that left early is closed on the server's side too. */
    private void settle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // generous: CI machines may be loaded
        while (server.connections().open() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private void round(int ns, Path file, int i) throws IOException {
        String container = "leak" + i;
        assertThat(exchange(request("ADD", container, RUNTIME_PATH), ns)).startsWith("vpc-cni-plugin/1\nexit 0 ");
        assertThat(exchange(request("DEL", container, RUNTIME_PATH), ns)).startsWith("vpc-cni-plugin/1\nexit 0 ");
        int regular = open(file.toString());
        try {
            assertThat(exchange(request("ADD", container, RUNTIME_PATH), regular)).contains("\"code\":4");
        } finally {
            LibC.close(regular);
        }
        assertThat(exchange("garbage".getBytes(StandardCharsets.US_ASCII), ns)).contains("\"code\":6");
        assertThat(exchange(request("ADD", container, RUNTIME_PATH), ns, ns)).contains("\"code\":6");
        int[] many = new int[LibC.MAX_PASSED_DESCRIPTORS];
        java.util.Arrays.fill(many, ns);
        // Eight at once fill recvmsg's room exactly: received, and all closed but refused.
        assertThat(exchange(request("ADD", container, RUNTIME_PATH), many)).contains("\"code\":6");
        // Nine: the kernel truncates the control data (MSG_CTRUNC); the server closes what came and the connection.
        int[] tooMany = new int[LibC.MAX_PASSED_DESCRIPTORS + 1];
        java.util.Arrays.fill(tooMany, ns);
        assertThat(exchange(request("ADD", container, RUNTIME_PATH), tooMany)).doesNotContain("exit");
        leaveEarly(ns);
    }

    /** A client that passes the descriptor with half its request and goes away. */
    private void leaveEarly(int ns) throws IOException {
        byte[] request = request("ADD", "early", RUNTIME_PATH);
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(server.socketPath()));
            LibC.sendWithDescriptors(LibC.channelDescriptor(c), request, 0, request.length / 2, new int[] {ns});
        }
    }

    private static int openDescriptors() throws IOException {
        List<Path> all = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(all::add);
        }
        return all.size() - 1; // the listing's own
    }
}
