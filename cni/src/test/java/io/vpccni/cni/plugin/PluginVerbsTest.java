package io.vpccni.cni.plugin;

import io.vpccni.cni.testing.Conf;
import io.vpccni.cni.testing.InProcessPlugin;
import io.vpccni.cni.testing.PluginCall;
import io.vpccni.cni.testing.PoolBackedIpamd;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import io.vpccni.rpc.veth.HostVethName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The verbs in-process, against the kernel and a pool-backed ipamd, on a simulated node. */
@Tag("privileged")
class PluginVerbsTest {
    private static final String V = "1.1.0";
    private NodeFixture f;

    @BeforeEach
    void node() throws Exception {
        Shell.assumePrivileged();
        f = new NodeFixture(List.of(new PoolBackedIpamd.Slot("10.0.0.10", 0, 254),
                new PoolBackedIpamd.Slot("10.0.1.20", 2, 3), new PoolBackedIpamd.Slot("10.0.0.11", 0, 254)));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private static String veth(String podName) {
        return HostVethName.of("eni", "default", podName);
    }

    private InProcessPlugin.Outcome add(ScratchNetns pod, String id, String podName, String version) {
        return f.run(PluginCall.of("ADD", id, pod.path(), podName), Conf.of(version));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"})
    void addReturnsAwsVpcCnisInterfacesInTheRequestedVersion(String version) {
        ScratchNetns pod = f.pod();
        var out = add(pod, "c1", "pod-a", version);

        // aws-vpc-cni's plugin for the same pod: the host veth by name only, eth0 with its route table id
        // (1: the primary ENI) in mac, and dummy<the veth's hash> with VLAN 0 and the device number.
        String ipVersion = version.startsWith("0.") ? "\"version\":\"4\"," : "";
        assertThat(out.exit()).as(out.stdout()).isZero();
        assertThat(out.stdout()).isEqualTo("{\"cniVersion\":\"" + version + "\",\"interfaces\":["
                + "{\"name\":\"" + veth("pod-a") + "\"},"
                + "{\"name\":\"eth0\",\"mac\":\"1\",\"sandbox\":\"" + pod.path() + "\"},"
                + "{\"name\":\"dummy" + veth("pod-a").substring(3) + "\",\"mac\":\"0\",\"sandbox\":\"0\"}],"
                + "\"ips\":[{" + ipVersion + "\"interface\":1,\"address\":\"10.0.0.10/32\"}],\"dns\":{}}");
    }

    @Test
    void addOnASecondaryEniPutsTableThreeInTheMacFieldTheDeviceInTheDummyAndTheFromRule() {
        ScratchNetns a = f.pod();
        ScratchNetns b = f.pod();
        add(a, "c1", "pod-a", V);
        var out = add(b, "c2", "pod-b", V);

        assertThat(out.stdout()).contains("{\"name\":\"eth0\",\"mac\":\"3\"")
                .contains("{\"name\":\"dummy" + veth("pod-b").substring(3) + "\",\"mac\":\"0\",\"sandbox\":\"2\"}");
        assertThat(f.node.ip("rule")).contains("1536:\tfrom 10.0.1.20 lookup 3");
    }

    @Test
    void trafficFlowsFromTheNodeToPodsAndBetweenPods() {
        ScratchNetns a = f.pod();
        ScratchNetns b = f.pod();
        assertThat(add(a, "c1", "pod-a", V).exit()).isZero();
        assertThat(add(b, "c2", "pod-b", V).exit()).isZero();
        // Pod b is on a "secondary ENI" (table 3); traffic to a pod still goes by the 512 rule and main.

        assertThat(f.node.exec("ping", "-c1", "-W2", "10.0.0.10").exit()).isZero();
        assertThat(f.node.exec("ping", "-c1", "-W2", "10.0.1.20").exit()).isZero();
        assertThat(a.exec("ping", "-c1", "-W2", "10.0.1.20").exit()).isZero();
        assertThat(b.exec("ping", "-c1", "-W2", "10.0.0.10").exit()).isZero();
    }

    @Test
    void delRemovesVethRouteAndRulesAndReleasesTheAddress() {
        ScratchNetns a = f.pod();
        ScratchNetns b = f.pod();
        add(a, "c1", "pod-a", V);
        String prev = add(b, "c2", "pod-b", V).stdout();

        var out = f.run(PluginCall.of("DEL", "c2", b.path(), "pod-b"), Conf.withPrev(V, prev));

        assertThat(out.exit()).as(out.stdout()).isZero();
        assertThat(out.stdout()).isEmpty();
        assertThat(f.node.ip("link")).doesNotContain(veth("pod-b"));
        assertThat(f.node.ip("route")).doesNotContain("10.0.1.20");
        assertThat(f.node.ip("rule")).doesNotContain("10.0.1.20");
        assertThat(b.ip("link")).doesNotContain("eth0");
        assertThat(f.ipamd().assignedIps()).containsExactly("10.0.0.10");
    }

    @Test
    void aSecondDelAndADelOfAnUnknownContainerSucceed() {
        ScratchNetns a = f.pod();
        String prev = add(a, "c1", "pod-a", V).stdout();
        var del = PluginCall.of("DEL", "c1", a.path(), "pod-a");

        assertThat(f.run(del, Conf.withPrev(V, prev)).exit()).isZero();
        assertThat(f.run(del, Conf.withPrev(V, prev)).exit()).isZero();
        assertThat(f.run(PluginCall.of("DEL", "never-added", a.path(), "pod-x"), Conf.of(V)).exit()).isZero();
    }

    @Test
    void delAfterTheNetnsIsGoneCleansTheHostAndSucceeds() {
        ScratchNetns a = f.pod();
        String prev = add(a, "c1", "pod-a", V).stdout();
        a.close();

        var out = f.run(PluginCall.of("DEL", "c1", a.path(), "pod-a"), Conf.withPrev(V, prev));

        assertThat(out.exit()).as(out.stdout()).isZero();
        assertThat(f.node.ip("rule")).doesNotContain("10.0.0.10");
        assertThat(f.node.ip("route")).isEmpty();
        assertThat(f.ipamd().assignedIps()).isEmpty();
    }

    @Test
    void delWithIpamdStoppedTearsDownFromPrevResult() {
        ScratchNetns a = f.pod();
        ScratchNetns b = f.pod();
        add(a, "c1", "pod-a", V);
        String prev = add(b, "c2", "pod-b", V).stdout();
        f.stopIpamd();

        var out = f.run(PluginCall.of("DEL", "c2", b.path(), "pod-b"), Conf.withPrev(V, prev));

        assertThat(out.exit()).as(out.stdout()).isZero();
        assertThat(f.node.ip("rule")).doesNotContain("10.0.1.20");
        assertThat(f.node.ip("route")).doesNotContain("10.0.1.20");
        assertThat(f.node.ip("link")).doesNotContain(veth("pod-b"));
    }

    @Test
    void checkPassesOnAnIntactPodAndNamesADeletedRoute() {
        ScratchNetns a = f.pod();
        String prev = add(a, "c1", "pod-a", V).stdout();
        var check = PluginCall.of("CHECK", "c1", a.path(), "pod-a");
        assertThat(f.run(check, Conf.withPrev(V, prev))).isEqualTo(new InProcessPlugin.Outcome(0, ""));

        a.ip("route", "del", "default");
        f.node.ip("rule", "del", "prio", "512");
        var out = f.run(check, Conf.withPrev(V, prev));

        assertThat(out.exit()).isEqualTo(1);
        assertThat(out.stdout()).contains("\"code\":111")
                .contains("pod default route via 169.254.1.1 dev eth0 is missing")
                .contains("host rule '512: from all to 10.0.0.10/32 lookup main' is missing");
    }

    @Test
    void gcReleasesAttachmentsNotListedAsValid() {
        ScratchNetns a = f.pod();
        ScratchNetns b = f.pod();
        add(a, "c1", "pod-a", V);
        add(b, "c2", "pod-b", V);

        var out = f.run(PluginCall.verb("GC"), Conf.of(V,
                ",\"cni.dev/valid-attachments\":[{\"containerID\":\"c1\",\"ifname\":\"eth0\"}]"));

        assertThat(out.exit()).as(out.stdout()).isZero();
        assertThat(f.ipamd().assignedIps()).containsExactly("10.0.0.10");
        assertThat(f.node.ip("rule")).doesNotContain("10.0.1.20").contains("10.0.0.10");
        assertThat(f.node.ip("link")).doesNotContain(veth("pod-b")).contains(veth("pod-a"));
    }

    @Test
    void gcAcceptsTheLegacyAttachmentsKey() {
        add(f.pod(), "c1", "pod-a", V);

        var out = f.run(PluginCall.verb("GC"), Conf.of(V, ",\"cni.dev/attachments\":[]"));

        assertThat(out.exit()).isZero();
        assertThat(f.ipamd().assignedIps()).isEmpty();
    }

    @Test
    void statusIsReadyThen50WhenIpamdIsNotReadyOrDown() {
        assertThat(f.run(PluginCall.verb("STATUS"), Conf.of(V))).isEqualTo(new InProcessPlugin.Outcome(0, ""));
        f.ipamd().setReady(false);
        assertThat(f.run(PluginCall.verb("STATUS"), Conf.of(V)).stdout()).contains("\"code\":50")
                .contains("not ready");
        f.stopIpamd();
        var down = f.run(PluginCall.verb("STATUS"), Conf.of(V));
        assertThat(down.exit()).isEqualTo(1);
        assertThat(down.stdout()).contains("\"code\":50").contains("unreachable");
    }

    @Test
    void ipamdNotReadyGivesTryAgainLaterWithIpamdsReason() {
        f.ipamd().setReady(false);

        var out = add(f.pod(), "c1", "pod-a", V);

        assertThat(out.exit()).isEqualTo(1);
        assertThat(out.stdout()).isEqualTo("{\"cniVersion\":\"1.1.0\",\"code\":11,"
                + "\"msg\":\"ipamd is still starting (test pool switched off)\","
                + "\"details\":\"ipamd reason NOT_READY, retryable\"}");
    }

    @Test
    void aDataPlaneFailureReleasesTheAddressAndLeavesTheNodeUnchanged() throws Exception {
        String before = f.node.snapshot();
        // The pod namespace already has an eth0: the veth's peer cannot take that name there.
        var pod = f.pod();
        pod.ip("link", "add", "eth0", "type", "veth", "peer", "name", "other0");

        var out = f.run(PluginCall.of("ADD", "c1", pod.path(), "pod-a"), Conf.of(V));

        assertThat(out.exit()).isEqualTo(1);
        assertThat(out.stdout()).contains("\"code\":110").contains("the address was released");
        assertThat(f.ipamd().assignedIps()).isEmpty();
        assertThat(f.node.snapshot()).isEqualTo(before);
    }
}
