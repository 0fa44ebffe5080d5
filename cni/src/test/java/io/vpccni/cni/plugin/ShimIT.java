package io.vpccni.cni.plugin;

import io.vpccni.cni.server.PluginServer;
import io.vpccni.cni.testing.Conf;
import io.vpccni.cni.testing.PluginCall;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shim's ways back to the standalone plugin when the daemon does not run an invocation: a
 * netns it cannot see, a request too large for it, and a daemon that goes away before its reply.
 */
@Tag("privileged")
class ShimIT {
    private ProcessFixture f;

    @AfterEach
    void cleanUp() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void delAfterTheNetnsIsGoneIsRunByTheStandalonePlugin() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(true);
        ScratchNetns pod = f.pod();
        String before = f.node.snapshot();
        var add = f.plugin(PluginCall.of("ADD", "g1", pod.path(), "pod-g").env(), Conf.of("1.0.0"));
        assertThat(add.exit()).as(add.stdout()).isZero();
        String netns = pod.path();
        pod.close();

        var del = f.plugin(PluginCall.of("DEL", "g1", netns, "pod-g").env(), Conf.withPrev("1.0.0", add.stdout()));

        assertThat(del.exit()).as(del.stdout() + del.stderr()).isZero();
        assertThat(del.stderr()).contains("is not visible to the daemon").contains("running the plugin here");
        assertLeftNothing(1, before); // the ADD served; the DEL ran standalone
    }

    /**
     * A netns that is an empty file for the daemon and for the runtime alike (no namespace mounted on it): the
     * server declines it, and the standalone plugin refuses it with its own error, having changed nothing.
     */
    @Test
    void anEmptyFileAsNetnsIsDeclinedByTheServerAndRefusedByTheStandalonePlugin() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(true);
        String before = f.node.snapshot();
        java.nio.file.Path placeholder = java.nio.file.Files.createFile(f.dir.resolve("cni-empty"));

        var add = f.plugin(PluginCall.of("ADD", "e1", placeholder.toString(), "pod-e").env(), Conf.of("1.0.0"));

        assertThat(add.exit()).as(add.stdout() + add.stderr()).isEqualTo(1);
        assertThat(add.stderr()).contains("plugin server did not run this invocation (netns " + placeholder
                + " is not visible to the daemon: it is a regular file here");
        assertThat(add.stdout()).contains("\"code\":4,").contains("is not a pod's network namespace")
                .contains(placeholder + " is a regular file, not a network namespace");
        assertLeftNothing(0, before);
    }

    /** {@code served} invocations ran in the daemon; no address is held and the node is as it was. */
    private void assertLeftNothing(long served, String nodeBefore) {
        assertThat(f.served()).isEqualTo(served);
        assertThat(f.ipamd.assignedIps()).isEmpty();
        assertThat(f.node.snapshot()).isEqualTo(nodeBefore);
    }

    /**
     * A runtime in a mount namespace of its own (containerd in a container, a daemon without the host's
     * /var/run/netns): the daemon sees only the empty placeholder, the runtime the pod's namespace mounted on it.
     * The shim, run by the runtime, opens the namespace there and passes it over the socket, so the ADD and the DEL
     * are served by the daemon, which never opens the path.
     */
    @Test
    void aNetnsMountedWhereTheDaemonCannotSeeItIsServedThroughTheDescriptorTheShimPasses() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(true);
        ScratchNetns pod = f.pod();
        String before = f.node.snapshot();
        java.nio.file.Path placeholder = java.nio.file.Files.createFile(f.dir.resolve("cni-mounted"));

        var add = f.pluginInPrivateMounts(pod.path(), placeholder,
                PluginCall.of("ADD", "m1", placeholder.toString(), "pod-m").env(), Conf.of("1.0.0"));

        assertThat(add.exit()).as(add.stdout() + add.stderr()).isZero();
        assertThat(add.stderr()).doesNotContain("running the plugin here");
        assertThat(add.stdout()).contains("\"address\":\"10.0.0.10/32\"")
                .contains("\"sandbox\":\"" + placeholder + "\"");
        assertThat(f.served()).isEqualTo(1);
        assertThat(pod.ip("-4", "-o", "addr", "show", "dev", "eth0")).contains("inet 10.0.0.10/32");
        assertThat(java.nio.file.Files.size(placeholder)).as("the placeholder, as the daemon sees it").isZero();

        var del = f.pluginInPrivateMounts(pod.path(), placeholder,
                PluginCall.of("DEL", "m1", placeholder.toString(), "pod-m").env(), Conf.withPrev("1.0.0", add.stdout()));
        assertThat(del.exit()).as(del.stdout() + del.stderr()).isZero();
        assertThat(del.stderr()).doesNotContain("running the plugin here");
        assertThat(pod.exec("ip", "link", "show", "dev", "eth0").exit()).as("eth0 in the pod").isNotZero();
        assertLeftNothing(2, before);
    }

    /**
     * containerd when its deadline passes during a slow ADD: it SIGKILLs the shim and sends DEL while the ADD still
     * runs in the daemon. The DEL waits for the ADD; the ADD, whose shim is gone, is undone; nothing is left.
     */
    @Test
    void aShimKilledDuringASlowAddAndTheRuntimesDelLeaveNothing() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(true);
        ScratchNetns pod = f.pod();
        String before = f.node.snapshot();
        var slow = f.ipamd.holdAdds("k1");
        Process shim = f.startPlugin(PluginCall.of("ADD", "k1", pod.path(), "pod-k").env(), Conf.of("1.0.0"));
        slow.awaitArrival();
        shim.destroyForcibly().waitFor();

        var del = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> f.plugin(PluginCall.of("DEL", "k1", pod.path(), "pod-k").env(), Conf.of("1.0.0")),
                r -> Thread.ofPlatform().daemon().start(r));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (f.server.waited() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(f.server.waited()).as("the DEL waits for the ADD of its container").isOne();
        slow.release();

        var done = del.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(done.exit()).as(done.stdout() + done.stderr()).isZero();
        assertThat(f.server.undone()).isOne();
        assertThat(f.ipamd.handled()).containsExactly("ADD k1", "DEL k1", "DEL k1");
        assertThat(pod.exec("ip", "link", "show", "dev", "eth0").exit()).as("eth0 in the pod").isNotZero();
        assertLeftNothing(2, before);
    }

    /**
     * A local client holding 2,000 idle or trickling connections on plugin.sock (more than the server's 1,024)
     * does not stop pods: an ADD and a DEL through the shim are still served, and the server is back to no open
     * connection once the client leaves.
     */
    @Test
    void addsThroughTheShimAreServedWhileAFloodOfIdleConnectionsHoldsThePluginSocket() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(true);
        ScratchNetns pod = f.pod();
        String before = f.node.snapshot();
        java.util.List<SocketChannel> flood = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 2000; i++) {
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                c.connect(UnixDomainSocketAddress.of(PluginServer.besideIpamd(f.socket)));
                if (i % 2 == 0) {
                    c.write(ByteBuffer.wrap("vpc-cni-plugin/1\nCNI_COMMAND=ADD".getBytes(StandardCharsets.UTF_8)));
                }
                flood.add(c);
            }
            var add = f.plugin(PluginCall.of("ADD", "fl1", pod.path(), "pod-fl").env(), Conf.of("1.0.0"));
            assertThat(add.exit()).as(add.stdout() + add.stderr()).isZero();
            assertThat(add.stdout()).contains("\"address\":\"10.0.0.10/32\"");
            var del = f.plugin(PluginCall.of("DEL", "fl1", pod.path(), "pod-fl").env(),
                    Conf.withPrev("1.0.0", add.stdout()));
            assertThat(del.exit()).as(del.stdout() + del.stderr()).isZero();
            assertThat(f.served()).isEqualTo(2);
        } finally {
            for (SocketChannel c : flood) {
                c.close();
            }
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (f.server.connections().open() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(f.server.connections().open()).isZero();
        assertThat(f.ipamd.assignedIps()).isEmpty();
        assertThat(f.node.snapshot()).isEqualTo(before);
    }

    /** Kubelet starts pods in parallel: the daemon runs their invocations at the same time, each on its own thread. */
    @Test
    void concurrentAddsAndDelsThroughTheServerEachGetTheirOwnAddressAndLeaveNothing() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(true);
        String before = f.node.snapshot();
        java.util.List<ScratchNetns> pods = java.util.stream.IntStream.range(0, 4).mapToObj(i -> f.pod()).toList();
        java.util.Map<Integer, Shell.Result> adds = new java.util.concurrent.ConcurrentHashMap<>();

        inParallel(pods.size(), i -> adds.put(i, f.plugin(
                PluginCall.of("ADD", "par" + i, pods.get(i).path(), "pod-par" + i).env(), Conf.of("1.0.0"))));

        java.util.Set<String> addresses = new java.util.HashSet<>();
        for (int i = 0; i < pods.size(); i++) {
            Shell.Result add = adds.get(i);
            assertThat(add.exit()).as(add.stdout() + add.stderr()).isZero();
            String ip = add.stdout().replaceAll(".*\"address\":\"([0-9.]+)/32\".*", "$1");
            assertThat(addresses.add(ip)).as("address %s given once", ip).isTrue();
            assertThat(pods.get(i).ip("-4", "-o", "addr", "show", "dev", "eth0")).contains("inet " + ip + "/32");
            assertThat(f.node.exec("ping", "-c1", "-W2", ip).exit()).as("node reaches %s", ip).isZero();
        }
        assertThat(f.served()).isEqualTo(pods.size());

        inParallel(pods.size(), i -> {
            var del = f.plugin(PluginCall.of("DEL", "par" + i, pods.get(i).path(), "pod-par" + i).env(),
                    Conf.withPrev("1.0.0", adds.get(i).stdout()));
            assertThat(del.exit()).as(del.stdout()).isZero();
        });

        assertThat(f.served()).isEqualTo(2L * pods.size());
        assertThat(f.ipamd.assignedIps()).isEmpty();
        assertThat(f.node.snapshot()).isEqualTo(before);
    }

    private static void inParallel(int n, java.util.function.IntConsumer task) throws Exception {
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(n)) {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                done.add(pool.submit(() -> {
                    start.await();
                    task.accept(index);
                    return null;
                }));
            }
            start.countDown();
            for (var d : done) {
                d.get();
            }
        }
    }

    @Test
    void aConfigTooLargeForTheServerIsRunByTheStandalonePlugin() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(true);
        ScratchNetns pod = f.pod();
        String conf = Conf.of("1.0.0") + " ".repeat(1_200_000); // trailing whitespace is valid JSON

        var add = f.plugin(PluginCall.of("ADD", "big", pod.path(), "pod-big").env(), conf);

        assertThat(add.exit()).as(add.stdout() + add.stderr()).isZero();
        assertThat(add.stdout()).contains("\"address\":\"10.0.0.10/32\"");
        assertThat(f.served()).isZero();
        assertThat(f.ipamd.assignedIps()).containsExactly("10.0.0.10");
    }

    /**
     * A hand-written server in place of the daemon: it takes one request and answers {@code reply} (or nothing)
     * before hanging up. The real server always answers in full, so only a fake can stand for a daemon that dies
     * between taking a request and finishing its reply.
     */
    private static final class FakeDaemon implements AutoCloseable {
        final ByteArrayOutputStream taken = new ByteArrayOutputStream();
        private final ServerSocketChannel socket;
        private final Thread thread;

        FakeDaemon(java.nio.file.Path path, String reply) throws java.io.IOException {
            socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            socket.bind(UnixDomainSocketAddress.of(path));
            thread = Thread.ofPlatform().start(() -> {
                try (SocketChannel c = socket.accept()) {
                    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                    while (c.read(buf) >= 0) {
                        // the whole request
                    }
                    taken.write(buf.array(), 0, buf.position());
                    c.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        String request() throws InterruptedException {
            thread.join(10_000);
            return taken.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    @Test
    void aDaemonThatHangsUpBeforeAnsweringLeavesTheInvocationToTheStandalonePlugin() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(false);
        ScratchNetns pod = f.pod();
        try (FakeDaemon dying = new FakeDaemon(PluginServer.besideIpamd(f.socket), "")) {
            var add = f.plugin(PluginCall.of("ADD", "h1", pod.path(), "pod-h").env(), Conf.of("1.0.0"));

            assertThat(add.exit()).as(add.stdout() + add.stderr()).isZero();
            assertThat(add.stdout()).contains("\"address\":\"10.0.0.10/32\"");
            assertThat(dying.request()).startsWith("vpc-cni-plugin/1\n").contains("CNI_COMMAND=ADD\0")
                    .contains("CNI_CONTAINERID=h1\0").endsWith("\0\0" + Conf.of("1.0.0"))
                    .doesNotContain("\0PATH=").doesNotContain("\nPATH=");
            assertThat(f.ipamd.assignedIps()).containsExactly("10.0.0.10");
        }
    }

    @Test
    void aReplyCutOffBeforeItsLengthIsReachedLeavesTheInvocationToTheStandalonePlugin() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(false);
        ScratchNetns pod = f.pod();
        try (FakeDaemon dying = new FakeDaemon(PluginServer.besideIpamd(f.socket),
                "vpc-cni-plugin/1\nexit 0 400\n{\"cniVersion\":\"1.0.0\",\"ips\":[")) {
            var add = f.plugin(PluginCall.of("ADD", "h2", pod.path(), "pod-h2").env(), Conf.of("1.0.0"));

            assertThat(add.exit()).as(add.stdout() + add.stderr()).isZero();
            assertThat(add.stdout()).contains("\"address\":\"10.0.0.10/32\"").doesNotContain("\"ips\":[\n");
            assertThat(dying.request()).contains("CNI_CONTAINERID=h2\0");
        }
    }

    @Test
    void aCompleteReplyIsPrintedAsItIsAndItsStatusBecomesTheExitStatus() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(false);
        String body = "{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"from the daemon\"}";
        try (FakeDaemon daemon = new FakeDaemon(PluginServer.besideIpamd(f.socket),
                "vpc-cni-plugin/1\nexit 3 " + body.length() + "\n" + body)) {
            var version = f.plugin(PluginCall.verb("VERSION").env(), "{}");

            assertThat(version.exit()).isEqualTo(3);
            assertThat(version.stdout()).isEqualTo(body);
            assertThat(daemon.request()).contains("CNI_COMMAND=VERSION\0");
        }
    }
}
