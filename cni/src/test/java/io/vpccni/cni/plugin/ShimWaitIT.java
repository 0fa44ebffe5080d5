package io.vpccni.cni.plugin;

import io.vpccni.cni.server.PluginServer;
import io.vpccni.cni.testing.Conf;
import io.vpccni.cni.testing.PluginCall;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shim while ipamd restarts: an ADD that finds neither the plugin server nor ipamd listening waits for them,
 * for a bounded time, instead of failing (the standalone plugin would fail it too, for want of ipamd); a DEL does
 * not wait, it is torn down from prevResult by the standalone plugin at once.
 */
@Tag("privileged")
class ShimWaitIT {
    /** Far more than a JVM start and an ADD take here, far less than the default wait of 60 s. */
    private static final Duration AT_ONCE = Duration.ofSeconds(15);

    private ProcessFixture f;

    @AfterEach
    void cleanUp() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private record Timed(Shell.Result result, Duration took) {}

    private Timed timed(Map<String, String> env, String conf) {
        long start = System.nanoTime();
        Shell.Result r = f.plugin(env, conf);
        return new Timed(r, Duration.ofNanos(System.nanoTime() - start));
    }

    private static String confLoggingTo(Path log, String extra) {
        return Conf.of("1.0.0", ",\"pluginLogFile\":\"" + log + "\"" + extra);
    }

    /** A pod on a node whose daemon (ipamd with its plugin server) is not running yet. */
    private ScratchNetns podOnANodeWithoutDaemon() throws java.io.IOException {
        Shell.assumePrivileged();
        f = ProcessFixture.withoutDaemonYet(true);
        return f.pod();
    }

    /** Starts the daemon {@code after} from now, on a thread of its own. */
    private Thread daemonAfter(Duration after) {
        return Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(after);
                f.startDaemon();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void anAddWhileIpamdIsAbsentWaitsForThePluginServerAndIsServedByIt() throws Exception {
        ScratchNetns pod = podOnANodeWithoutDaemon();
        Path log = f.dir.resolve("plugin.log");
        Thread starter = daemonAfter(Duration.ofSeconds(2));

        Timed add = timed(PluginCall.of("ADD", "w1", pod.path(), "pod-w1").env(), confLoggingTo(log, ""));
        starter.join();

        assertThat(add.result().exit()).as(add.result().stdout() + add.result().stderr()).isZero();
        assertThat(add.result().stdout()).contains("\"address\":\"10.0.0.10/32\"");
        assertThat(f.served()).as("served by the plugin server, not the standalone plugin").isEqualTo(1);
        assertThat(add.took()).isGreaterThanOrEqualTo(Duration.ofSeconds(2)).isLessThan(AT_ONCE);
        assertThat(pod.ip("-4", "-o", "addr", "show", "dev", "eth0")).contains("inet 10.0.0.10/32");
        String logged = Files.readString(log);
        assertThat(logged).containsPattern("INFO \\[[0-9]+\\] ADD of container w1: nothing listens on \\S+plugin.sock"
                + " nor on ipamd's socket \\(ipamd is starting\\); waiting up to 60 s for it \\(the default")
                .containsPattern("INFO \\[[0-9]+\\] ADD of container w1: the plugin server answered after [0-9]+ ms");
        assertThat(add.result().stderr()).contains("waiting up to 60 s");
    }

    /**
     * A daemon killed by SIGKILL leaves its socket files behind, and a connect to them is refused: the shim waits
     * through that too.
     */
    @Test
    void anAddFindingTheSocketsADeadDaemonLeftWaitsForTheRestartedOne() throws Exception {
        ScratchNetns pod = podOnANodeWithoutDaemon();
        for (Path stale : new Path[] {f.socket, PluginServer.besideIpamd(f.socket)}) {
            try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                dead.bind(UnixDomainSocketAddress.of(stale)); // closing does not remove the file
            }
            assertThat(stale).exists();
        }
        Thread starter = daemonAfter(Duration.ofSeconds(1));

        Timed add = timed(PluginCall.of("ADD", "w2", pod.path(), "pod-w2").env(), Conf.of("1.0.0"));
        starter.join();

        assertThat(add.result().exit()).as(add.result().stdout() + add.result().stderr()).isZero();
        assertThat(add.result().stdout()).contains("\"address\":\"10.0.0.10/32\"");
        assertThat(f.served()).isEqualTo(1);
        assertThat(add.took()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    /**
     * The daemon dies while it runs the ADD (here a stand-in that takes the request, hangs up without a reply and
     * is gone, sockets and all): the ADD is sent again to the restarted daemon instead of to the standalone plugin,
     * which would fail it for want of ipamd.
     */
    @Test
    void anAddWhoseDaemonDiesBeforeReplyingIsSentAgainToTheRestartedOne() throws Exception {
        ScratchNetns pod = podOnANodeWithoutDaemon();
        Path log = f.dir.resolve("plugin.log");
        Path pluginSock = PluginServer.besideIpamd(f.socket);
        ServerSocketChannel dying = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dying.bind(UnixDomainSocketAddress.of(pluginSock));
        Thread daemon = Thread.ofPlatform().start(() -> {
            try {
                try (dying; var c = dying.accept()) {
                    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16);
                    while (c.read(buf) >= 0) {
                        // the whole request, then no reply
                    }
                }
                Files.delete(pluginSock);
                Thread.sleep(1000);
                f.startDaemon();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        Timed add = timed(PluginCall.of("ADD", "w7", pod.path(), "pod-w7").env(), confLoggingTo(log, ""));
        daemon.join();

        assertThat(add.result().exit()).as(add.result().stdout() + add.result().stderr()).isZero();
        assertThat(add.result().stdout()).contains("\"address\":\"10.0.0.10/32\"");
        assertThat(f.served()).as("sent again to the restarted plugin server").isEqualTo(1);
        assertThat(Files.readString(log)).contains("ADD of container w7: the plugin server went away before its reply")
                .contains("ADD of container w7: the plugin server answered after");
    }

    @Test
    void anAddFailsAfterTheWaitNamingItWhenIpamdNeverComesBack() throws Exception {
        ScratchNetns pod = podOnANodeWithoutDaemon();
        Path log = f.dir.resolve("plugin.log");

        Timed add = timed(PluginCall.of("ADD", "w3", pod.path(), "pod-w3").env(),
                confLoggingTo(log, ",\"shimWaitSeconds\":2"));

        assertThat(add.result().exit()).isEqualTo(1);
        assertThat(add.result().stdout()).contains("\"code\":11")
                .contains("ipamd did not come back within the shim's wait of 2 s; try again")
                .contains("for 2 s (shimWaitSeconds)");
        assertThat(add.took()).isGreaterThanOrEqualTo(Duration.ofSeconds(2)).isLessThan(AT_ONCE);
        assertThat(Files.readString(log)).contains("waiting up to 2 s for it (shimWaitSeconds)")
                .containsPattern("ERROR \\[[0-9]+\\] ADD of container w3: ipamd did not come back within the shim's"
                        + " wait of 2 s");
        assertThat(f.served()).isZero();
        assertThat(pod.ip("-o", "link", "show")).doesNotContain("eth0");
    }

    @Test
    void theEnvironmentOverridesTheConfigurationAndAWaitOfZeroRunsTheStandalonePluginAtOnce() throws Exception {
        ScratchNetns pod = podOnANodeWithoutDaemon();
        Map<String, String> env = new HashMap<>(PluginCall.of("ADD", "w4", pod.path(), "pod-w4").env());
        env.put("VPC_CNI_SHIM_WAIT_SECONDS", "0");

        Timed add = timed(env, Conf.of("1.0.0", ",\"shimWaitSeconds\":120"));

        // No wait: the standalone plugin runs and fails as it always did without ipamd.
        assertThat(add.result().exit()).isEqualTo(1);
        assertThat(add.result().stdout()).doesNotContain("shim's wait").containsIgnoringCase("ipamd");
        assertThat(add.result().stderr()).doesNotContain("waiting up to");
        assertThat(add.took()).isLessThan(AT_ONCE);
    }

    @Test
    void aWaitThatIsNotANumberOfSecondsInRangeIsRefusedWithItsName() throws Exception {
        ScratchNetns pod = podOnANodeWithoutDaemon();
        Map<String, String> env = new HashMap<>(PluginCall.of("ADD", "w5", pod.path(), "pod-w5").env());

        Timed fromConf = timed(env, Conf.of("1.0.0", ",\"shimWaitSeconds\":\"soon\""));
        env.put("VPC_CNI_SHIM_WAIT_SECONDS", "181");
        Timed fromEnv = timed(env, Conf.of("1.0.0"));

        assertThat(fromConf.result().exit()).isEqualTo(1);
        assertThat(fromConf.result().stdout()).contains("\"code\":7").contains("invalid shimWaitSeconds")
                .contains("'\\\"soon\\\"' is not a number of seconds in 0..180");
        assertThat(fromEnv.result().exit()).isEqualTo(1);
        assertThat(fromEnv.result().stdout()).contains("\"code\":7")
                .contains("VPC_CNI_SHIM_WAIT_SECONDS='181' is not a number of seconds in 0..180");
        assertThat(fromConf.took().plus(fromEnv.took())).isLessThan(AT_ONCE);
    }

    @Test
    void aDelWithIpamdAbsentIsTornDownFromPrevResultAtOnce() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(true);
        ScratchNetns pod = f.pod();
        String before = f.node.snapshot();
        var add = f.plugin(PluginCall.of("ADD", "w6", pod.path(), "pod-w6").env(), Conf.of("1.0.0"));
        assertThat(add.exit()).as(add.stdout() + add.stderr()).isZero();
        f.stopDaemon();

        Timed del = timed(PluginCall.of("DEL", "w6", pod.path(), "pod-w6").env(),
                Conf.withPrev("1.0.0", add.stdout()));

        assertThat(del.result().exit()).as(del.result().stdout() + del.result().stderr()).isZero();
        assertThat(del.result().stderr()).doesNotContain("waiting up to");
        assertThat(del.took()).isLessThan(AT_ONCE);
        assertThat(f.node.snapshot()).isEqualTo(before);
    }
}
