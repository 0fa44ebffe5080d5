package io.vpccni.it.vpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.it.localstack.EmulatorTiming;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Kubernetes network model on the simulated VPC: real ipamd and the real plugin on three nodes in namespaces,
 * LocalStack as EC2, a fabric namespace as the VPC router. Nodes a and b run with defaults (SNAT on) and node c
 * with external SNAT; t3.small holds 3 pod addresses per ENI, so a's fourth pod lands on a secondary ENI. Node b
 * reuses released addresses at once (no cooldown), for the churn test.
 */
@Tag("privileged")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VpcInABoxTest {

    private static final int REPLY_BYTES = 2 << 20;
    private static final int CHURN_ADDS = 12;

    private VpcBox box;
    private EmulatorTiming timing;
    private SimulatedNodeNs a;
    private SimulatedNodeNs b;
    private SimulatedNodeNs c;
    private final List<PodNs> onA = new ArrayList<>();
    private final List<PodNs> onB = new ArrayList<>();
    private PodNs onSecondaryEni;
    private PodNs externallySnatted;

    @BeforeAll
    void startBox() throws Exception {
        Shell.require("root".equals(System.getProperty("user.name")), "namespaces need root");
        Shell.require(Files.isExecutable(Path.of("../cni/target/plugin/bin/vpc-cni")), "packaged plugin missing");
        // EC2's timing: each call takes its time, an attachment completes 3 s after AttachNetworkInterface answers
        // (only then do the node's device and its instance metadata show the ENI), and the token buckets apply.
        timing = EmulatorTiming.realistic();
        box = VpcBox.start(List.of(
                new VpcBox.NodeSpec("a", "t3.small", Map.of()),
                new VpcBox.NodeSpec("b", "t3.small", Map.of("IP_COOLDOWN_PERIOD", "0")),
                new VpcBox.NodeSpec("c", "t3.small", Map.of("AWS_VPC_K8S_CNI_EXTERNALSNAT", "true"))),
                line -> System.out.println("[vpc] " + line));
        a = box.nodes().get(0);
        b = box.nodes().get(1);
        c = box.nodes().get(2);
        for (int i = 1; i <= 3; i++) {
            onA.add(box.addPod("a" + i, a));
            onB.add(box.addPod("b" + i, b));
        }
        onSecondaryEni = box.addPod("a4", a);
        externallySnatted = box.addPod("c1", c);
        box.reconciler().awaitNextPass();
    }

    @AfterAll
    void closeBox() {
        if (box != null) {
            box.close();
        }
        if (timing != null) {
            timing.close();
        }
    }

    @Test
    void everyPodHasAUniqueAddressOfAnEniOfItsOwnNode() {
        Set<String> seen = new HashSet<>();
        for (PodNs pod : box.pods()) {
            assertThat(seen.add(pod.ip())).as("%s's address %s is unique", pod.name(), pod.ip()).isTrue();
            EniLink eni = box.eniOf(pod.ip()).orElseThrow(() -> new AssertionError(pod.ip() + " is no ENI's"));
            assertThat(eni.node()).as("node of the ENI holding %s", pod.name()).isEqualTo(pod.node().index());
            assertThat(eni.deviceIndex()).as("device index of %s", pod.name()).isEqualTo(pod.deviceIndex());
            assertThat(eni.subnet().toIpv4Cidr().contains(Ipv4Address.parse(pod.ip())))
                    .as("%s in the ENI's subnet", pod.ip()).isTrue();
        }
    }

    @Test
    void podsOnOneNodeReachEachOtherFromTheirOwnAddress() throws Exception {
        List<PodNs> all = new ArrayList<>(onA);
        all.add(onSecondaryEni);
        for (PodNs from : all) {
            for (PodNs to : all) {
                if (from != to) {
                    assertThat(from.reach(to.ip())).as("%s -> %s", from.name(), to.name()).isEqualTo(from.ip());
                }
            }
        }
    }

    @Test
    void podsOnDifferentNodesReachEachOtherWithoutNat() throws Exception {
        for (PodNs from : box.pods()) {
            for (PodNs to : box.pods()) {
                if (from.node() != to.node()) {
                    assertThat(from.reach(to.ip())).as("%s -> %s", from.name(), to.name()).isEqualTo(from.ip());
                }
            }
        }
    }

    @Test
    void trafficToOutsideTheVpcLeavesFromTheNodePrimaryAddress() throws Exception {
        for (PodNs pod : List.of(onA.getFirst(), onSecondaryEni, onB.getFirst())) {
            assertThat(pod.reach(VpcBox.OUTSIDE)).as("%s -> outside", pod.name())
                    .isEqualTo(box.primaryIp(pod.node()));
        }
    }

    @Test
    void withExternalSnatTheOutsideSeesThePodAddress() throws Exception {
        assertThat(externallySnatted.reach(VpcBox.OUTSIDE)).isEqualTo(externallySnatted.ip());
    }

    @Test
    void aPodOnASecondaryEniRepliesThroughThatEni() throws Exception {
        assertThat(onSecondaryEni.deviceIndex()).as("a's fourth pod is on a secondary ENI").isPositive();
        int eni = onSecondaryEni.deviceIndex();
        long viaOwnEni = box.fabric().bytesFromNode(a.index(), eni);
        long viaPrimary = box.fabric().bytesFromNode(a.index(), 0);

        assertThat(onB.getFirst().reach(onSecondaryEni.ip(), REPLY_BYTES)).isEqualTo(onB.getFirst().ip());

        assertThat(box.fabric().bytesFromNode(a.index(), eni) - viaOwnEni).as("bytes a sent out of eth%d", eni)
                .isGreaterThanOrEqualTo(REPLY_BYTES);
        assertThat(box.fabric().bytesFromNode(a.index(), 0) - viaPrimary).as("bytes a sent out of eth0")
                .isLessThan(REPLY_BYTES / 4);
    }

    @Test
    void churnWithTheDaemonKilledLeavesNoAddressTwiceAndNothingBehind() throws Exception {
        List<String> original = onB.stream().map(PodNs::ip).toList();
        java.util.ArrayDeque<PodNs> live = new java.util.ArrayDeque<>();
        Set<String> churned = new HashSet<>();
        for (int i = 0; i < CHURN_ADDS; i++) {
            if (i == CHURN_ADDS / 2) {
                b.ipamd().kill(); // SIGKILL, then a new daemon on the same checkpoint
                b.ipamd().start(java.time.Duration.ofSeconds(90));
            }
            PodNs pod = box.addPod("churn" + i, b);
            churned.add(pod.ip());
            live.add(pod);
            if (live.size() > 2) {
                box.removePod(live.poll());
            }
            List<String> held = box.pods().stream().map(PodNs::ip).toList();
            assertThat(new HashSet<>(held)).as("addresses held after add %d", i).hasSameSizeAs(held);
        }
        for (PodNs pod : live) {
            box.removePod(pod);
        }

        String rules = b.namespace().ip("-4", "rule");
        String routes = b.namespace().ip("-4", "route", "show", "table", "all");
        for (String ip : churned) {
            if (!original.contains(ip)) {
                assertThat(rules).as("rules of b").doesNotContain(ip + " ");
                assertThat(routes).as("routes of b").doesNotContain(ip + " ");
            }
        }
        assertThat(b.namespace().ip("-o", "link").lines().filter(l -> l.contains(": eni")).count())
                .as("host veths on b").isEqualTo(original.size());
        var checkpoint = new com.fasterxml.jackson.databind.ObjectMapper().readTree(b.dir().resolve("ipam.json")
                .toFile());
        List<String> inCheckpoint = new ArrayList<>();
        checkpoint.path("allocations").forEach(a -> inCheckpoint.add(a.path("ipv4").asText()));
        assertThat(inCheckpoint).as("b's checkpoint").containsExactlyInAnyOrderElementsOf(original);
    }

    /**
     * What the runtime runs is the shim, and each node's ipamd runs the invocations: a VERSION through the node's
     * installed plugin shows up in that daemon's count (the churn test restarts daemons, so earlier ADDs may not).
     */
    @Test
    void theShimHandsEachNodesInvocationsToThePluginServerInItsDaemon() {
        for (SimulatedNodeNs node : List.of(a, b, c)) {
            long before = node.pluginServerInvocations();
            Exec.Result version = node.namespace().exec(Map.of("CNI_COMMAND", "VERSION", "VPC_CNI_SOCKET",
                    node.dir().resolve("ipamd.sock").toString()), "{\"cniVersion\":\"1.1.0\"}",
                    List.of(CniRuntime.findPluginDir().resolve("vpc-cni").toString())).orThrow();

            assertThat(version.stdout()).contains("\"supportedVersions\"");
            assertThat(node.pluginServerInvocations()).as("invocations run by %s's plugin server", node.name())
                    .isEqualTo(before + 1);
        }
    }

    @Test
    void everyDaemonRunsInsideItsNodeAndNothingLandsInTheRootNamespace() {
        String rootRules = Exec.run("ip", "-4", "rule").orThrow().stdout();
        String rootRoutes = Exec.run("ip", "-4", "route", "show", "table", "all").orThrow().stdout();
        for (SimulatedNodeNs node : List.of(a, b, c)) {
            assertThat(node.namespace().contains(node.ipamd().pid())).as("ipamd of %s in its namespace", node.name())
                    .isTrue();
            assertThat(node.namespace().contains(ProcessHandle.current().pid())).isFalse();
        }
        for (PodNs pod : box.pods()) {
            assertThat(rootRules).doesNotContain(pod.ip());
            assertThat(rootRoutes).doesNotContain(pod.ip());
        }
    }
}
