package io.vpccni.cni.plugin;

import io.vpccni.cni.testing.Conf;
import io.vpccni.cni.testing.PluginCall;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged plugin as runtimes run it: directly, through cnitool, and chained with Debian's plugins.
 * Here without a plugin server (the shim runs the standalone JVM plugin); {@link ServedWholeProcessIT}
 * runs the same tests with the daemon-side server answering the shim.
 */
@Tag("privileged")
class WholeProcessIT {
    private static final String POD_ARGS = "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=";
    ProcessFixture f;

    boolean pluginServer() {
        return false;
    }

    /** Invocations that the plugin server ran, for a test that made {@code invocations} of them. */
    void assertRunWhereExpected(int invocations) {
        assertThat(f.served()).isEqualTo(pluginServer() ? invocations : 0);
    }

    @BeforeEach
    void node() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(pluginServer());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void versionListsEverySupportedSpecVersion() {
        Shell.Result r = f.plugin(PluginCall.verb("VERSION").env(), "{\"cniVersion\":\"1.1.0\"}");

        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEqualTo(
                "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}");
        assertRunWhereExpected(1);
    }

    @Test
    void addThenDelThroughThePluginLeavesTheNodeAsItWas() {
        ScratchNetns pod = f.pod();
        String before = f.node.snapshot();
        var add = f.plugin(PluginCall.of("ADD", "p1", pod.path(), "pod-p").env(), Conf.of("1.1.0"));
        assertThat(add.exit()).as(add.stdout() + add.stderr()).isZero();
        assertThat(add.stdout()).contains("\"address\":\"10.0.0.10/32\"").contains("{\"name\":\"eth0\",\"mac\":\"1\"");
        assertThat(f.node.exec("ping", "-c1", "-W2", "10.0.0.10").exit()).isZero();

        var del = f.plugin(PluginCall.of("DEL", "p1", pod.path(), "pod-p").env(), Conf.withPrev("1.1.0", add.stdout()));

        assertThat(del.exit()).as(del.stdout()).isZero();
        assertThat(f.node.snapshot()).isEqualTo(before);
        assertThat(f.ipamd.assignedIps()).isEmpty();
        assertRunWhereExpected(2);
    }

    @Test
    void cnitoolDrivesAddCheckDelGcAndStatus() throws Exception {
        Shell.require(Files.isExecutable(Path.of(ProcessFixture.CNITOOL)), "cnitool not installed");
        Path confDir = conflist("1.1.0", "{\"type\":\"vpc-cni\",\"vethPrefix\":\"eni\",\"mtu\":\"9001\",\"pluginLogFile\":\""
                + f.dir.resolve("plugin.log") + "\",\"pluginLogLevel\":\"DEBUG\"}");
        ScratchNetns pod = f.pod();
        Map<String, String> env = Map.of("CNI_ARGS", POD_ARGS + "pod-c");

        var add = f.cnitool(confDir, env, "add", Conf.NETWORK, pod.path());
        assertThat(add.exit()).as(add.stdout() + add.stderr()).isZero();
        assertThat(add.stdout()).contains("10.0.0.10/32");
        assertThat(f.cnitool(confDir, env, "check", Conf.NETWORK, pod.path()).exit()).isZero();
        assertThat(f.cnitool(confDir, env, "status", Conf.NETWORK, pod.path()).exit()).isZero();
        pod.ip("route", "del", "default");
        var check = f.cnitool(confDir, env, "check", Conf.NETWORK, pod.path());
        assertThat(check.exit()).isNotZero();
        assertThat(check.stderr() + check.stdout()).contains("pod default route via 169.254.1.1 dev eth0 is missing");

        var del = f.cnitool(confDir, env, "del", Conf.NETWORK, pod.path());
        assertThat(del.exit()).as(del.stderr()).isZero();
        assertThat(f.ipamd.assignedIps()).isEmpty();
        assertThat(f.node.ip("rule")).doesNotContain("10.0.0.10");

        assertThat(f.cnitool(confDir, env, "add", Conf.NETWORK, pod.path()).exit()).isZero();
        var gc = f.cnitool(confDir, env, "gc", Conf.NETWORK, pod.path());
        assertThat(gc.exit()).as(gc.stderr()).isZero();
        assertThat(f.ipamd.assignedIps()).isEmpty(); // cnitool's GC DELs every cached attachment, then GCs

        f.ipamd.close();
        var status = f.cnitool(confDir, env, "status", Conf.NETWORK, pod.path());
        assertThat(status.exit()).isNotZero();
        assertThat(status.stderr() + status.stdout()).contains("ipamd is unreachable");
    }

    @Test
    void portmapAndBandwidthChainAfterUsForAddAndDel() throws Exception {
        Shell.require(Files.isExecutable(Path.of(ProcessFixture.CNITOOL)), "cnitool not installed");
        // Debian's portmap speaks up to 1.0.0.
        Path confDir = conflist("1.0.0", "{\"type\":\"vpc-cni\",\"vethPrefix\":\"eni\",\"mtu\":\"9001\"},"
                + "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true},\"snat\":true},"
                + "{\"type\":\"bandwidth\",\"capabilities\":{\"bandwidth\":true}}");
        ScratchNetns pod = f.pod();
        Map<String, String> env = Map.of("CNI_ARGS", POD_ARGS + "pod-chain", "CAP_ARGS",
                "{\"portMappings\":[{\"hostPort\":18080,\"containerPort\":80,\"protocol\":\"tcp\"}],"
                        + "\"bandwidth\":{\"ingressRate\":1000000,\"ingressBurst\":100000}}");

        var add = f.cnitool(confDir, env, "add", Conf.NETWORK, pod.path());

        assertThat(add.exit()).as(add.stdout() + add.stderr()).isZero();
        String veth = io.vpccni.rpc.veth.HostVethName.of("eni", "default", "pod-chain");
        assertThat(f.node.exec("iptables-save", "-t", "nat").stdout()).contains("--dport 18080")
                .contains("10.0.0.10:80");
        assertThat(f.node.exec("tc", "qdisc", "show", "dev", veth).stdout()).contains("tbf");

        var del = f.cnitool(confDir, env, "del", Conf.NETWORK, pod.path());

        assertThat(del.exit()).as(del.stdout() + del.stderr()).isZero();
        assertThat(f.node.exec("iptables-save", "-t", "nat").stdout()).doesNotContain("18080");
        assertThat(f.node.ip("link")).doesNotContain(veth);
        assertThat(f.ipamd.assignedIps()).isEmpty();
    }

    private Path conflist(String version, String plugins) throws Exception {
        Path dir = Files.createDirectories(f.dir.resolve("net.d"));
        Files.writeString(dir.resolve("10-vpc.conflist"), "{\"cniVersion\":\"" + version + "\",\"name\":\"" + Conf.NETWORK
                + "\",\"plugins\":[" + plugins + "]}");
        return dir;
    }
}
