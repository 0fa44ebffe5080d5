package io.vpccni.cni.plugin;

import io.vpccni.cni.testing.CapabilityDaemon;
import io.vpccni.cni.testing.Conf;
import io.vpccni.cni.testing.PluginCall;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plugin server under the image's security context, as far as a test can set it up: a process of its own
 * ({@link CapabilityDaemon}) with exactly the capabilities deploy/'s DaemonSet gives the ipamd container (NET_ADMIN,
 * NET_RAW, SYS_ADMIN, set by {@code setpriv} as bounding, inheritable and ambient sets), in a mount namespace shaped
 * like the container's: {@code /proc/sys} read-only, the node's {@code /proc/sys/net} mounted elsewhere as the
 * DaemonSet mounts the host's, and no pod namespace visible by path (a tmpfs over {@code /run/netns}). Pods are added
 * and deleted through the packaged shim, which passes each pod's namespace as a descriptor. Without one of the
 * capabilities, or without the sysctl mount, the daemon says which and does not serve; forced to serve anyway, the
 * invocation fails with a CNI error that names the capability, and nothing is left behind.
 */
@Tag("privileged")
class ImageCapabilitiesIT {
    /** The ipamd container's capabilities (deploy/manifests/daemonset.yaml). */
    private static final List<String> IMAGE = List.of("net_admin", "net_raw", "sys_admin");
    /** CapEff of a process with exactly those: bits 12, 13 and 21. */
    private static final String IMAGE_CAP_EFF = "0000000000203000";

    private ProcessFixture f;
    private Process daemon;
    private final List<String> daemonOutput = new ArrayList<>();
    private CompletableFuture<Void> reader;

    @BeforeEach
    void node() throws Exception {
        Shell.assumePrivileged();
        Shell.require(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) missing");
        f = new ProcessFixture(false); // ipamd in this JVM; the plugin server is the daemon process below
    }

    @AfterEach
    void cleanUp() throws Exception {
        stopDaemon();
        if (f != null) {
            f.close();
        }
    }

    /**
     * Starts the daemon with {@code capabilities}; with {@code mountSysctls}, the node's /proc/sys/net is writable at
     * the root it is given, otherwise the root is the read-only /proc/sys. Returns its first line of output.
     */
    private String startDaemon(List<String> capabilities, boolean mountSysctls, boolean check) throws Exception {
        Path hostProcSys = f.dir.resolve("host-proc-sys");
        String caps = "-all" + capabilities.stream().map(c -> ",+" + c).reduce("", String::concat);
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", f.node.name(),
                "unshare", "--mount", "--propagation", "private", "sh", "-ec",
                "mount -t tmpfs vpccni-no-netns /run/netns; "
                        + "mkdir -p \"$1/net\"; mount --bind /proc/sys/net \"$1/net\"; "
                        + "mount --bind /proc/sys /proc/sys; mount -o remount,bind,ro /proc/sys; "
                        + "shift; exec \"$@\"",
                "sh", hostProcSys.toString(),
                "setpriv", "--inh-caps=" + caps, "--ambient-caps=" + caps, "--bounding-set=" + caps,
                ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), CapabilityDaemon.class.getName(),
                f.socket.toString(), mountSysctls ? hostProcSys.toString() : "/proc/sys"));
        if (!check) {
            command.add("--no-check");
        }
        daemon = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        reader = CompletableFuture.runAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    synchronized (daemonOutput) {
                        daemonOutput.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the daemon is gone
            }
        }, r -> Thread.ofPlatform().daemon().start(r));
        return String.valueOf(first);
    }

    private List<String> stopDaemon() throws Exception {
        if (daemon == null) {
            return List.of();
        }
        daemon.getOutputStream().close();
        if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
            daemon.destroyForcibly();
        }
        reader.get(30, TimeUnit.SECONDS);
        daemon = null;
        synchronized (daemonOutput) {
            return List.copyOf(daemonOutput);
        }
    }

    private String capEff(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("CapEff:"))
                .findFirst().orElseThrow().substring("CapEff:".length()).strip();
    }

    @Test
    void podsAreAddedAndDeletedByAServerWithExactlyTheImagesCapabilities() throws Exception {
        ScratchNetns pod = f.pod();
        String before = f.node.snapshot();
        assertThat(startDaemon(IMAGE, true, true)).isEqualTo("serving");
        assertThat(capEff(daemon.pid())).isEqualTo(IMAGE_CAP_EFF);

        var add = f.plugin(PluginCall.of("ADD", "c1", pod.path(), "pod-c").env(), Conf.of("1.0.0"));

        assertThat(add.exit()).as(add.stdout() + add.stderr()).isZero();
        assertThat(add.stderr()).doesNotContain("running the plugin here");
        assertThat(pod.ip("-4", "-o", "addr", "show", "dev", "eth0")).contains("inet 10.0.0.10/32");
        String veth = f.node.run("sh", "-c", "ip -o link show type veth | sed -n 's/^[0-9]*: \\([^@:]*\\).*/\\1/p'")
                .strip();
        // Written through the mount of the node's /proc/sys/net, the daemon's /proc/sys being read-only.
        assertThat(f.node.run("cat", "/proc/sys/net/ipv6/conf/" + veth + "/accept_ra").strip()).isEqualTo("0");

        var del = f.plugin(PluginCall.of("DEL", "c1", pod.path(), "pod-c").env(), Conf.withPrev("1.0.0", add.stdout()));

        assertThat(del.exit()).as(del.stdout() + del.stderr()).isZero();
        assertThat(del.stderr()).doesNotContain("running the plugin here");
        assertThat(stopDaemon()).contains("served 2");
        assertThat(f.ipamd.assignedIps()).isEmpty();
        assertThat(f.node.snapshot()).isEqualTo(before);
    }

    @Test
    void withoutOneOfThemOrTheSysctlMountTheDaemonSaysWhichAndDoesNotServe() throws Exception {
        record Case(List<String> capabilities, boolean mount, String says) {}
        for (Case c : List.of(
                new Case(List.of("net_admin", "net_raw"), true, "the daemon lacks CAP_SYS_ADMIN, which entering a "
                        + "pod's network namespace (setns) takes"),
                new Case(List.of("net_raw", "sys_admin"), true, "the daemon lacks CAP_NET_ADMIN"),
                new Case(IMAGE, false, "the daemon's /proc/sys is read-only"))) {
            String first = startDaemon(c.capabilities(), c.mount(), true);
            assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();

            assertThat(daemon.exitValue()).isEqualTo(3);
            assertThat(first).as(c.toString()).startsWith("plugin server not started: ").contains(c.says());
            assertThat(stopDaemon()).as("nothing after the reason, no stack trace").isEmpty();
        }
    }

    @Test
    void servingAnywayAnInvocationFailsWithACniErrorNamingTheCapabilityAndLeavesNothing() throws Exception {
        ScratchNetns pod = f.pod();
        String before = f.node.snapshot();
        for (String lacking : List.of("sys_admin", "net_admin")) {
            List<String> caps = IMAGE.stream().filter(c -> !c.equals(lacking)).toList();
            assertThat(startDaemon(caps, true, false)).isEqualTo("serving");

            var add = f.plugin(PluginCall.of("ADD", "c2", pod.path(), "pod-c").env(), Conf.of("1.0.0"));

            assertThat(add.exit()).as(add.stdout() + add.stderr()).isEqualTo(1);
            assertThat(add.stdout()).contains("takes CAP_" + lacking.toUpperCase() + ", which this process lacks");
            assertThat(String.join("\n", stopDaemon())).doesNotContain("\tat ").doesNotContain("Exception in");
            assertThat(f.ipamd.assignedIps()).isEmpty();
            assertThat(f.node.snapshot()).isEqualTo(before);
            assertThat(pod.exec("ip", "link", "show", "dev", "eth0").exit()).as("eth0 in the pod").isNotZero();
        }
    }
}
