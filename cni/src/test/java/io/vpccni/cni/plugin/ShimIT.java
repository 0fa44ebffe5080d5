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
        assertThat(f.served()).isEqualTo(1); // the ADD; the DEL ran standalone
        assertThat(f.ipamd.assignedIps()).isEmpty();
        assertThat(f.node.snapshot()).isEqualTo(before);
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
     * A hand-written server stands in for a daemon that dies between taking a request and
     * answering it: the real server always answers, so only a fake can hang up like that.
     */
    @Test
    void aDaemonThatHangsUpBeforeAnsweringLeavesTheInvocationToTheStandalonePlugin() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(false);
        ScratchNetns pod = f.pod();
        ByteArrayOutputStream taken = new ByteArrayOutputStream();
        try (ServerSocketChannel dying = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dying.bind(UnixDomainSocketAddress.of(PluginServer.besideIpamd(f.socket)));
            Thread daemon = Thread.ofPlatform().start(() -> {
                try (SocketChannel c = dying.accept()) {
                    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                    while (c.read(buf) >= 0) {
                        // the whole request, then hang up without a word
                    }
                    taken.write(buf.array(), 0, buf.position());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            var add = f.plugin(PluginCall.of("ADD", "h1", pod.path(), "pod-h").env(), Conf.of("1.0.0"));
            daemon.join(10_000);

            assertThat(add.exit()).as(add.stdout() + add.stderr()).isZero();
            assertThat(add.stdout()).contains("\"address\":\"10.0.0.10/32\"");
            String request = taken.toString(StandardCharsets.UTF_8);
            assertThat(request).startsWith("vpc-cni-plugin/1\n").contains("CNI_COMMAND=ADD\0")
                    .contains("CNI_CONTAINERID=h1\0").endsWith("\0\0" + Conf.of("1.0.0"))
                    .doesNotContain("\0PATH=").doesNotContain("\nPATH=");
            assertThat(f.ipamd.assignedIps()).containsExactly("10.0.0.10");
        }
    }
}
