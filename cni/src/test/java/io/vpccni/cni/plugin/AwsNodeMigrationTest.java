package io.vpccni.cni.plugin;

import io.vpccni.cni.spec.CniError;
import io.vpccni.cni.testing.AwsVpcCni.Release;
import io.vpccni.cni.testing.AwsVpcCni;
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
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node moving between aws-node and this plugin with pods running, both ways, on a simulated node:
 * pods wired by aws-vpc-cni's plugin (v1.19 and v1.21 results, two pods, one on a secondary ENI so
 * rules at 512 and 1536 exist) are checked, reached and deleted by ours, with ipamd holding their
 * addresses as it does after adopting aws-node's checkpoint and with ipamd down; and our pods are
 * deleted by aws-vpc-cni's DEL from our cached result while its ipamd is unreachable, as right after
 * a switch back, leaving no rule or route behind.
 */
@Tag("privileged")
class AwsNodeMigrationTest {
    private static final String V = "1.0.0"; // our conflist's version
    private static final String DEFAULT_RULES = """
            0:	from all lookup local
            32766:	from all lookup main
            32767:	from all lookup default""";
    private static final PoolBackedIpamd.Slot A = new PoolBackedIpamd.Slot("10.0.0.10", 0, 254);
    private static final PoolBackedIpamd.Slot B = new PoolBackedIpamd.Slot("10.0.1.20", 2, 3);
    private static final PoolBackedIpamd.Slot C = new PoolBackedIpamd.Slot("10.0.0.11", 0, 254);
    private static final AwsVpcCni.Pod POD_A = new AwsVpcCni.Pod("default", "pod-a", A.ip(), 0);
    private static final AwsVpcCni.Pod POD_B = new AwsVpcCni.Pod("default", "pod-b", B.ip(), 2);

    private NodeFixture f;

    @BeforeEach
    void node() throws Exception {
        Shell.assumePrivileged();
        f = new NodeFixture(List.of(A, B, C));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private InProcessPlugin.Outcome run(String verb, String id, ScratchNetns pod, String podName, String conf) {
        return f.run(PluginCall.of(verb, id, pod.path(), podName), conf);
    }

    @ParameterizedTest
    @EnumSource(Release.class)
    void podsAwsNodeWiredPassOurCheckReachOurPodsAndOurDelRemovesEveryTraceWithIpamdUpOrDown(Release release) {
        ScratchNetns a = f.pod();
        ScratchNetns b = f.pod();
        AwsVpcCni.wire(f.node, a, POD_A);
        AwsVpcCni.wire(f.node, b, POD_B);
        f.ipamd().adopt(Conf.NETWORK, "aaaa", "eth0", A);
        f.ipamd().adopt(Conf.NETWORK, "bbbb", "eth0", B);
        String prevA = AwsVpcCni.result(release, POD_A, a.path());
        String prevB = AwsVpcCni.result(release, POD_B, b.path());
        assertThat(f.node.ip("rule")).contains("512:\tfrom all to 10.0.0.10 lookup main")
                .contains("512:\tfrom all to 10.0.1.20 lookup main").contains("1536:\tfrom 10.0.1.20 lookup 3");

        assertThat(run("CHECK", "aaaa", a, "pod-a", Conf.withPrev(V, prevA))).isEqualTo(new InProcessPlugin.Outcome(0, ""));
        assertThat(run("CHECK", "bbbb", b, "pod-b", Conf.withPrev(V, prevB))).isEqualTo(new InProcessPlugin.Outcome(0, ""));

        ScratchNetns c = f.pod();
        var added = run("ADD", "cccc", c, "pod-c", Conf.of(V));
        assertThat(added.exit()).as(added.stdout()).isZero();
        assertThat(added.stdout()).contains("\"address\":\"10.0.0.11/32\"");
        assertThat(c.exec("ping", "-c1", "-W2", A.ip()).exit()).isZero();
        assertThat(c.exec("ping", "-c1", "-W2", B.ip()).exit()).isZero();
        assertThat(b.exec("ping", "-c1", "-W2", C.ip()).exit()).isZero();

        var delA = run("DEL", "aaaa", a, "pod-a", Conf.withPrev(V, prevA));
        assertThat(delA.exit()).as(delA.stdout()).isZero();
        assertThat(f.ipamd().assignedIps()).containsExactlyInAnyOrder(B.ip(), C.ip());
        f.stopIpamd();
        var delB = run("DEL", "bbbb", b, "pod-b", Conf.withPrev(V, prevB));
        assertThat(delB.exit()).as(delB.stdout()).isZero();

        assertThat(f.node.ip("rule")).doesNotContain(A.ip()).doesNotContain(B.ip()).doesNotContain("1536:")
                .contains("512:\tfrom all to 10.0.0.11 lookup main");
        assertThat(f.node.ip("route")).isEqualTo("10.0.0.11 dev " + HostVethName.of("eni", "default", "pod-c") + " scope link");
        assertThat(f.node.ip("link")).doesNotContain(POD_A.hostVeth()).doesNotContain(POD_B.hostVeth());
        assertThat(a.ip("link")).doesNotContain("eth0");
        assertThat(b.ip("link")).doesNotContain("eth0");
    }

    @ParameterizedTest
    @EnumSource(Release.class)
    void awsNodesDelTearsDownOurPodsFromOurResultWhileItsIpamdIsUnreachable(Release release) throws CniError {
        ScratchNetns a = f.pod();
        ScratchNetns b = f.pod();
        String resultA = run("ADD", "c1", a, "pod-a", Conf.of(V)).stdout();
        String resultB = run("ADD", "c2", b, "pod-b", Conf.of(V)).stdout();
        assertThat(f.node.ip("rule")).contains("1536:\tfrom 10.0.1.20 lookup 3");
        f.stopIpamd();

        assertThat(AwsVpcCni.teardownWithPrevResult(release, f.node, resultA, "default", "pod-a", "eth0")).isTrue();
        assertThat(AwsVpcCni.teardownWithPrevResult(release, f.node, resultB, "default", "pod-b", "eth0")).isTrue();
        // The runtime then removes the pods' namespaces, and the veths with them.
        a.close();
        b.close();

        assertThat(f.node.ip("rule")).isEqualTo(DEFAULT_RULES);
        assertThat(f.node.ip("route")).isEmpty();
        // The kernel dismantles a deleted namespace in the background; its veths go within moments.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (f.node.ip("-o", "-d", "link").contains("veth") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(f.node.ip("-o", "-d", "link")).doesNotContain("veth");
    }

    @Test
    void awsNodesDelGivesUpOnAResultWithoutTheDummyEntryAndLeavesTheRules() throws CniError {
        run("ADD", "c1", f.pod(), "pod-a", Conf.of(V));
        ScratchNetns b = f.pod();
        run("ADD", "c2", b, "pod-b", Conf.of(V));
        // Our result before issue 17: host veth with its MAC, eth0 with the table, no dummy entry.
        String old = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"" + POD_B.hostVeth()
                + "\",\"mac\":\"aa:bb:cc:dd:ee:ff\"},{\"name\":\"eth0\",\"mac\":\"3\",\"sandbox\":\"" + b.path()
                + "\"}],\"ips\":[{\"interface\":1,\"address\":\"10.0.1.20/32\"}],\"dns\":{}}";

        assertThat(AwsVpcCni.teardownWithPrevResult(Release.V1_21, f.node, old, "default", "pod-b", "eth0")).isFalse();
        b.close();

        assertThat(f.node.ip("rule")).contains("512:\tfrom all to 10.0.1.20 lookup main")
                .contains("1536:\tfrom 10.0.1.20 lookup 3");
    }
}
