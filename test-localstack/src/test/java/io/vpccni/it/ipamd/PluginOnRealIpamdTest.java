package io.vpccni.it.ipamd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.cni.testing.AwsVpcCni;
import io.vpccni.cni.testing.Conf;
import io.vpccni.cni.testing.InProcessPlugin;
import io.vpccni.cni.testing.PluginCall;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import io.vpccni.rpc.veth.HostVethName;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The plugin's verbs against the real ipamd (issue 4): the daemon against the EC2 emulator hands out the addresses,
 * the plugin builds the pod data plane in namespaces this test creates, and the kernel state is read back and
 * compared with the contract (docs/node-contract.md).
 *
 * <p>t3.small: 3 ENIs of 4 addresses. MINIMUM_IP_TARGET=5 fills the primary ENI (3 secondary addresses) and puts 2
 * on a second ENI (device 1, route table 2), so the fourth pod lands on the secondary ENI.
 */
@Tag("privileged")
class PluginOnRealIpamdTest {
    private static final String V = "1.1.0";
    private static final Pattern ADDRESS = Pattern.compile("\"address\":\"([0-9.]+)/32\"");
    private PluginNode f;

    @BeforeEach
    void node() throws Exception {
        Shell.assumePrivileged();
        f = new PluginNode("t3.small", Map.of("MINIMUM_IP_TARGET", "5", "WARM_IP_TARGET", "1"));
        f.ipamd.settle(() -> f.ipamd.daemon.view().poolStats().total() == 5);
    }


    @AfterEach
    void cleanUp() {
        if (f != null) {
            f.close();
        }
    }

    private static String veth(String podName) {
        return HostVethName.of("eni", "default", podName);
    }

    private InProcessPlugin.Outcome add(ScratchNetns pod, String id, String podName) {
        InProcessPlugin.Outcome out = f.run(PluginCall.of("ADD", id, pod.path(), podName), Conf.of(V));
        assertThat(out.exit()).as(out.stdout()).isZero();
        return out;
    }

    private static String address(InProcessPlugin.Outcome add) {
        Matcher m = ADDRESS.matcher(add.stdout());
        assertThat(m.find()).as(add.stdout()).isTrue();
        return m.group(1);
    }

    @Test
    void addBuildsTheContractWithTheAddressIpamdAssigned() {
        ScratchNetns pod = f.pod();
        String ip = address(add(pod, "c1", "pod-a"));

        String mac = f.node.ip("-o", "link", "show", "dev", veth("pod-a")).replaceAll(".*link/ether (\\S+).*", "$1");
        assertThat(f.assigned()).containsExactly(Map.entry("c1", ip));
        assertThat(pod.ip("-4", "-o", "addr", "show", "dev", "eth0")).contains("inet " + ip + "/32 scope global eth0");
        assertThat(pod.ip("route")).isEqualTo("""
                default via 169.254.1.1 dev eth0
                169.254.1.1 dev eth0 scope link""");
        assertThat(pod.ip("neigh", "show", "dev", "eth0")).isEqualTo("169.254.1.1 lladdr " + mac + " PERMANENT");
        assertThat(f.node.ip("route")).isEqualTo(ip + " dev " + veth("pod-a") + " scope link");
        assertThat(f.node.ip("rule")).isEqualTo("""
                0:\tfrom all lookup local
                512:\tfrom all to %s lookup main
                32766:\tfrom all lookup main
                32767:\tfrom all lookup default""".formatted(ip));
    }

    @Test
    void aPodOnTheSecondaryEniGetsTheFromRuleAt1536WithTableDevicePlusOne() {
        for (int i = 1; i <= 3; i++) {
            add(f.pod(), "c" + i, "pod-" + i);
        }
        InProcessPlugin.Outcome fourth = add(f.pod(), "c4", "pod-4");
        String ip = address(fourth);

        assertThat(fourth.stdout()).contains("{\"name\":\"eth0\",\"mac\":\"2\"");
        assertThat(f.node.ip("rule")).contains("512:\tfrom all to " + ip + " lookup main")
                .contains("1536:\tfrom " + ip + " lookup 2");
        assertThat(f.node.ip("rule")).containsOnlyOnce("1536:");
    }

    @Test
    void trafficFlowsFromTheNodeToPodsAndBetweenPods() {
        ScratchNetns a = f.pod();
        ScratchNetns b = f.pod();
        String ipA = address(add(a, "c1", "pod-a"));
        String ipB = address(add(b, "c2", "pod-b"));

        assertThat(f.node.exec("ping", "-c1", "-W2", ipA).exit()).isZero();
        assertThat(a.exec("ping", "-c1", "-W2", ipB).exit()).isZero();
        assertThat(b.exec("ping", "-c1", "-W2", ipA).exit()).isZero();
    }

    @Test
    void delReleasesTheAddressInIpamdAndLeavesNoVethRouteOrRuleAndASecondDelSucceeds() {
        String before = f.node.snapshot();
        ScratchNetns a = f.pod();
        String prev = add(a, "c1", "pod-a").stdout();
        PluginCall del = PluginCall.of("DEL", "c1", a.path(), "pod-a");

        InProcessPlugin.Outcome out = f.run(del, Conf.withPrev(V, prev));

        assertThat(out).isEqualTo(new InProcessPlugin.Outcome(0, ""));
        assertThat(f.assigned()).isEmpty();
        assertThat(f.node.snapshot()).isEqualTo(before);
        assertThat(f.run(del, Conf.withPrev(V, prev)).exit()).isZero();
    }

    @Test
    void delAfterTheNetnsIsGoneCleansTheHostAndReleasesTheAddress() {
        ScratchNetns a = f.pod();
        String prev = add(a, "c1", "pod-a").stdout();
        a.close();

        InProcessPlugin.Outcome out = f.run(PluginCall.of("DEL", "c1", a.path(), "pod-a"), Conf.withPrev(V, prev));

        assertThat(out.exit()).as(out.stdout()).isZero();
        assertThat(f.node.ip("route")).isEmpty();
        assertThat(f.assigned()).isEmpty();
    }

    @Test
    void delWithIpamdStoppedTearsDownFromPrevResult() {
        for (int i = 1; i <= 3; i++) {
            add(f.pod(), "c" + i, "pod-" + i);
        }
        ScratchNetns onSecondary = f.pod();
        InProcessPlugin.Outcome added = add(onSecondary, "c4", "pod-4");
        String ip = address(added);
        f.stopIpamd();

        InProcessPlugin.Outcome out = f.run(PluginCall.of("DEL", "c4", onSecondary.path(), "pod-4"),
                Conf.withPrev(V, added.stdout()));

        assertThat(out.exit()).as(out.stdout()).isZero();
        assertThat(f.node.ip("rule")).doesNotContain(ip);
        assertThat(f.node.ip("route")).doesNotContain(ip);
        assertThat(f.node.ip("link")).doesNotContain(veth("pod-4"));
    }

    /**
     * Moving back to aws-node: its plugin deletes our pods from their cached results while its ipamd is unreachable
     * ({@link AwsVpcCni#teardownWithPrevResult}, its rules), and leaves no rule or route, also of the pod on the
     * secondary ENI.
     */
    @Test
    void awsNodesDelFromOurResultsLeavesNoRuleOrRouteOnceOurIpamdIsGone() throws Exception {
        java.util.List<ScratchNetns> pods = new java.util.ArrayList<>();
        java.util.List<String> results = new java.util.ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            pods.add(f.pod());
            results.add(add(pods.getLast(), "c" + i, "pod-" + i).stdout());
        }
        assertThat(f.node.ip("rule")).contains("1536:");
        f.stopIpamd();

        for (int i = 1; i <= 4; i++) {
            assertThat(AwsVpcCni.teardownWithPrevResult(AwsVpcCni.Release.V1_21, f.node, results.get(i - 1),
                    "default", "pod-" + i, "eth0")).as("pod-" + i).isTrue();
            pods.get(i - 1).close(); // the runtime removes the namespace, and the veth with it
        }

        assertThat(f.node.ip("rule")).isEqualTo("""
                0:\tfrom all lookup local
                32766:\tfrom all lookup main
                32767:\tfrom all lookup default""");
        assertThat(f.node.ip("route")).isEmpty();
    }

    @Test
    void checkPassesOnAnIntactPodAndNamesADeletedRoute() {
        ScratchNetns a = f.pod();
        String prev = add(a, "c1", "pod-a").stdout();
        PluginCall check = PluginCall.of("CHECK", "c1", a.path(), "pod-a");
        assertThat(f.run(check, Conf.withPrev(V, prev))).isEqualTo(new InProcessPlugin.Outcome(0, ""));

        a.ip("route", "del", "default");
        InProcessPlugin.Outcome out = f.run(check, Conf.withPrev(V, prev));

        assertThat(out.exit()).isEqualTo(1);
        assertThat(out.stdout()).contains("pod default route via 169.254.1.1 dev eth0 is missing");
    }

    @Test
    void gcReleasesInIpamdEveryAttachmentNotListedAsValid() {
        String kept = address(add(f.pod(), "c1", "pod-a"));
        add(f.pod(), "c2", "pod-b");

        InProcessPlugin.Outcome out = f.run(PluginCall.verb("GC"), Conf.of(V,
                ",\"cni.dev/valid-attachments\":[{\"containerID\":\"c1\",\"ifname\":\"eth0\"}]"));

        assertThat(out.exit()).as(out.stdout()).isZero();
        assertThat(f.assigned()).containsExactly(Map.entry("c1", kept));
        assertThat(f.node.ip("link")).doesNotContain(veth("pod-b")).contains(veth("pod-a"));
    }

    @Test
    void statusIsReadyWhileIpamdServesAnd50OnceItIsStopped() {
        assertThat(f.run(PluginCall.verb("STATUS"), Conf.of(V))).isEqualTo(new InProcessPlugin.Outcome(0, ""));
        f.stopIpamd();

        InProcessPlugin.Outcome down = f.run(PluginCall.verb("STATUS"), Conf.of(V));

        assertThat(down.exit()).isEqualTo(1);
        assertThat(down.stdout()).contains("\"code\":50");
    }
}
