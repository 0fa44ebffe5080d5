package io.vpccni.cni.plugin;

import io.vpccni.cni.server.PluginFrames;
import io.vpccni.cni.server.PluginServer;
import io.vpccni.cni.server.ShimRequests;
import io.vpccni.cni.testing.Conf;
import io.vpccni.cni.testing.PluginCall;
import io.vpccni.cni.testing.PoolBackedIpamd;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plugin server runs one invocation at a time per container, in arrival order, and undoes an ADD whose
 * client was gone before the reply: what a runtime whose deadline passed (it kills the shim, then sends DEL)
 * needs to leave nothing behind. The clients here speak the shim's frames on the socket, in-process, with an
 * ipamd that holds one container's ADD as a pool waiting for EC2 would.
 */
@Tag("privileged")
class ServedOneAtATimeTest {
    private NodeFixture f;
    private PluginServer server;
    private String before;

    @BeforeEach
    void node() throws Exception {
        Shell.assumePrivileged();
        f = new NodeFixture(PoolBackedIpamd.primary(4));
        server = f.serve();
        before = f.node.snapshot();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private SocketChannel send(String command, String container, ScratchNetns pod) throws IOException {
        Map<String, String> env = new HashMap<>(PluginCall.of(command, container, pod.path(), "pod-" + container).env());
        env.put(Dispatcher.SOCKET_ENV, f.socket.toString());
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(server.socketPath()));
        ByteBuffer out = ByteBuffer.wrap(ShimRequests.encode(new PluginFrames.Request(env,
                Conf.of("1.0.0").getBytes(StandardCharsets.UTF_8))));
        while (out.hasRemaining()) {
            c.write(out);
        }
        c.shutdownOutput();
        return c;
    }

    private static CompletableFuture<String> reply(SocketChannel c) {
        return CompletableFuture.supplyAsync(() -> {
            try (c) {
                ByteBuffer in = ByteBuffer.allocate(1 << 16);
                while (c.read(in) >= 0) {
                    // to end of stream
                }
                return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> Thread.ofPlatform().daemon().start(r)); // not the common pool: it may have a single thread
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private void assertNothingLeft(ScratchNetns pod) {
        assertThat(f.ipamd().assignedIps()).isEmpty();
        assertThat(f.node.snapshot()).isEqualTo(before);
        assertThat(pod.exec("ip", "link", "show", "dev", "eth0").exit()).as("eth0 in the pod").isNotZero();
    }

    @Test
    void aSlowAddWhoseClientIsGoneBeforeTheReplyIsUndone() throws Exception {
        ScratchNetns pod = f.pod();
        PoolBackedIpamd.Hold slow = f.ipamd().holdAdds("k1");
        try (SocketChannel shim = send("ADD", "k1", pod)) {
            slow.awaitArrival();
        } // killed by the runtime at its deadline: nobody is left to hear of the address
        slow.release();

        await("the ADD undone", () -> server.undone() == 1);

        assertThat(f.ipamd().handled()).containsExactly("ADD k1", "DEL k1");
        assertNothingLeft(pod);
    }

    @Test
    void aDelSentWhileTheAddOfItsContainerRunsIsAppliedAfterItAndLeavesNothing() throws Exception {
        ScratchNetns pod = f.pod();
        PoolBackedIpamd.Hold slow = f.ipamd().holdAdds("k2");
        CompletableFuture<String> add = reply(send("ADD", "k2", pod));
        slow.awaitArrival();
        CompletableFuture<String> del = reply(send("DEL", "k2", pod));
        await("the DEL waiting its turn", () -> server.waited() == 1);
        assertThat(f.ipamd().handled()).isEmpty();

        slow.release();

        assertThat(add.get(30, TimeUnit.SECONDS)).startsWith("vpc-cni-plugin/1\nexit 0 ").contains("10.0.0.10/32");
        assertThat(del.get(30, TimeUnit.SECONDS)).startsWith("vpc-cni-plugin/1\nexit 0 ");
        assertThat(f.ipamd().handled()).containsExactly("ADD k2", "DEL k2");
        assertThat(server.undone()).isZero();
        assertNothingLeft(pod);
    }

    @Test
    void invocationsOfDifferentContainersStillRunAtTheSameTime() throws Exception {
        ScratchNetns slowPod = f.pod();
        ScratchNetns quickPod = f.pod();
        PoolBackedIpamd.Hold slow = f.ipamd().holdAdds("k3");
        CompletableFuture<String> held = reply(send("ADD", "k3", slowPod));
        slow.awaitArrival();

        String quick = reply(send("ADD", "k4", quickPod)).get(30, TimeUnit.SECONDS);

        assertThat(quick).startsWith("vpc-cni-plugin/1\nexit 0 ");
        assertThat(held).isNotDone();
        assertThat(server.waited()).isZero();
        slow.release();
        assertThat(held.get(30, TimeUnit.SECONDS)).startsWith("vpc-cni-plugin/1\nexit 0 ");
        assertThat(f.ipamd().assignedIps()).hasSize(2);
    }
}
