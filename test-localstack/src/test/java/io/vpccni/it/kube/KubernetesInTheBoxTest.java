package io.vpccni.it.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.vpccni.it.vpc.EniLink;
import io.vpccni.it.vpc.Exec;
import io.vpccni.it.vpc.SimulatedNodeNs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The project as users meet it: its image, deployed by its chart, on a real control plane and real kubelets and
 * containerd on two simulated nodes of VPC in a box (t3.large: 3 ENIs of 12 addresses, 35 pods as EKS would set).
 * {@link SharedKube}'s cluster, first of its classes (the nodes have not seen the chart); the chart carries
 * {@link SharedKube#CHART_VALUES} (network policy on) so that {@link NetworkPolicyMatrixTest} after it needs no
 * other. The cases run in order, each leaving the cluster as it found it (custom networking, the last, stays on).
 */
@Tag("privileged")
@ExtendWith(SharedKube.class)
@Order(Integer.MAX_VALUE - 2)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesInTheBoxTest {

    private static final String IMAGE_TAG = SharedKube.IMAGE_TAG;
    private static final String ROLLED_TAG = "0.1.0-rolled";
    private static final int HOST_PORT = 18080;
    private static final String ECHO_LINE = "through-the-host-port";
    private static final ObjectMapper JSON = new ObjectMapper();

    private KubeInABox kube;
    private long classStarted;

    @BeforeAll
    void joinTheCluster() {
        classStarted = System.nanoTime();
        kube = SharedKube.kube();
    }

    @AfterAll
    void report() {
        log(String.format("class done in %.1f s", (System.nanoTime() - classStarted) / 1e9));
    }

    private static void log(String line) {
        System.out.println("[kube] " + line);
    }

    @Test
    @Order(1)
    void nodesTurnReadyOnlyOnceIpamdIsReady() throws Exception {
        assertThat(SharedKube.deployed()).as("the chart applied before this class (it must come first: its @Order)")
                .isFalse();
        for (KubeNode node : kube.nodes()) {
            assertThat(kube.ready(node.name())).as("%s before the DaemonSet", node).isFalse();
            assertThat(kube.readyCondition(node.name()).orElseThrow().getMessage()).as("why %s is not ready", node)
                    .containsIgnoringCase("network");
            assertThat(node.hostPath("/etc/cni/net.d").resolve("10-vpc-cni.conflist")).doesNotExist();
        }
        long deployed = System.nanoTime();
        SharedKube.deploy(IMAGE_TAG, Map.of("IP_COOLDOWN_PERIOD", "5"));
        Set<String> seenReady = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (seenReady.size() < kube.nodes().size()) {
            for (KubeNode node : kube.nodes()) {
                if (seenReady.contains(node.name()) || !kube.ready(node.name())) {
                    continue;
                }
                // The first time the node is seen Ready, its ipamd already says ready and has written the conflist.
                Exec.Result readyz = curl(node.simulated(), "/readyz");
                assertThat(readyz.stdout()).as("ipamd's /readyz on %s when the node turned Ready", node)
                        .startsWith("ready");
                assertThat(node.hostPath("/etc/cni/net.d").resolve("10-vpc-cni.conflist")).exists();
                seenReady.add(node.name());
                log(String.format("%s Ready %.1f s after the chart was applied", node,
                        (System.nanoTime() - deployed) / 1e9));
            }
            if (System.nanoTime() > deadline) {
                kube.awaitNodesReady(Duration.ZERO);
            }
            Thread.sleep(200);
        }
    }

    @Test
    @Order(2)
    void aDeploymentScaledToFortyAndBackGetsUniqueVpcAddressesAndLeavesNothing() throws Exception {
        kube.awaitNodesReady(Duration.ofSeconds(180));
        Map<String, Long> warmTotals = new HashMap<>();
        for (KubeNode node : kube.nodes()) {
            warmTotals.put(node.name(), settledTotal(node, Duration.ofSeconds(90)));
        }
        createPauseDeployment("web", 0);
        long scaled = System.nanoTime();
        kube.client().apps().deployments().inNamespace("default").withName("web").scale(40);
        List<Pod> pods = awaitRunning("app=web", 40, Duration.ofSeconds(240));
        log(String.format("40 pods Running %.1f s after the scale to 40", (System.nanoTime() - scaled) / 1e9));

        Set<String> addresses = new HashSet<>();
        Map<String, Integer> perNode = new HashMap<>();
        for (Pod pod : pods) {
            String ip = pod.getStatus().getPodIP();
            String nodeName = pod.getSpec().getNodeName();
            assertThat(addresses.add(ip)).as("%s's address %s is unique", pod.getMetadata().getName(), ip).isTrue();
            EniLink eni = kube.box().eniOf(ip).orElseThrow(() -> new AssertionError(ip + " is on no ENI"));
            assertThat(eni.node()).as("%s (%s) is on an ENI of its node %s", pod.getMetadata().getName(), ip,
                    nodeName).isEqualTo(kube.node(nodeName).simulated().index());
            perNode.merge(nodeName, 1, Integer::sum);
        }
        assertThat(perNode).as("pods per node").hasSize(2);
        // Across nodes: the first pod of each node reaches the other's through the VPC.
        Map<String, String> oneIpPerNode = pods.stream().collect(Collectors.toMap(p -> p.getSpec().getNodeName(),
                p -> p.getStatus().getPodIP(), (x, y) -> x));
        for (KubeNode node : kube.nodes()) {
            for (Map.Entry<String, String> other : oneIpPerNode.entrySet()) {
                if (!other.getKey().equals(node.name())) {
                    node.simulated().namespace().exec(Map.of(), null, List.of("ping", "-c1", "-W2",
                            other.getValue())).orThrow();
                }
            }
        }

        long down = System.nanoTime();
        deleteDeployment("web");
        log(String.format("0 pods %.1f s after the scale to 0", (System.nanoTime() - down) / 1e9));
        for (KubeNode node : kube.nodes()) {
            awaitPool(node, warmTotals.get(node.name()), Duration.ofSeconds(120));
            SimulatedNodeNs ns = node.simulated();
            assertThat(ns.namespace().ip("-o", "link", "show").lines().filter(l -> l.contains(": eni")).toList())
                    .as("host veths left on %s", node).isEmpty();
            assertThat(ns.namespace().ip("rule", "show").lines().filter(l -> l.startsWith("512:")
                    || l.startsWith("1536:")).toList()).as("pod rules left on %s", node).isEmpty();
        }
    }

    @Test
    @Order(3)
    void theDaemonSetRollsToARebuiltImageWhilePodsKeepRunning() throws Exception {
        kube.awaitNodesReady(Duration.ofSeconds(180));
        createPauseDeployment("steady", 4);
        List<Pod> before = awaitRunning("app=steady", 4, Duration.ofSeconds(120));
        // A rebuilt image: the same content under a new tag and a new image id, on every node as a pushed one would be.
        Path rebuilt = KubeImages.retagged(kube.tools(), IMAGE_TAG, ROLLED_TAG, KubernetesInTheBoxTest::log);
        for (KubeNode node : kube.nodes()) {
            node.importImage(rebuilt);
        }
        long rolled = System.nanoTime();
        SharedKube.deploy(ROLLED_TAG, Map.of("IP_COOLDOWN_PERIOD", "5"));
        kube.kubectl("-n", "kube-system", "rollout", "status", "daemonset/vpc-cni", "--timeout=240s").orThrow();
        log(String.format("DaemonSet rolled to %s on %d nodes in %.1f s", ROLLED_TAG, kube.nodes().size(),
                (System.nanoTime() - rolled) / 1e9));
        List<Pod> ipamds = kube.client().pods().inNamespace("kube-system").withLabel("app.kubernetes.io/name",
                "vpc-cni").list().getItems();
        assertThat(ipamds).hasSize(kube.nodes().size()).allSatisfy(p -> assertThat(
                p.getSpec().getContainers().getFirst().getImage()).endsWith(":" + ROLLED_TAG));
        List<Pod> after = awaitRunning("app=steady", 4, Duration.ofSeconds(60));
        assertThat(after.stream().map(p -> p.getMetadata().getUid()).toList()).as("the same pods, not replaced")
                .containsExactlyInAnyOrderElementsOf(before.stream().map(p -> p.getMetadata().getUid()).toList());
        // And the rolled ipamd wires new pods.
        kube.client().apps().deployments().inNamespace("default").withName("steady").scale(8);
        List<Pod> grown = awaitRunning("app=steady", 8, Duration.ofSeconds(120));
        assertThat(grown.stream().map(p -> p.getStatus().getPodIP()).distinct().count()).isEqualTo(8);
        deleteDeployment("steady");
    }

    @Test
    @Order(4)
    void aPodDeletedWhileItsNodesIpamdIsDownIsTornDownAndItsAddressComesBack() throws Exception {
        kube.awaitNodesReady(Duration.ofSeconds(180));
        KubeNode nodeA = kube.nodes().getFirst();
        createPauseDeployment("lonely", 1, nodeA.name());
        Pod pod = awaitRunning("app=lonely", 1, Duration.ofSeconds(120)).getFirst();
        String ip = pod.getStatus().getPodIP();
        // ipamd off node-a: the DaemonSet now runs only where this label is.
        for (KubeNode node : kube.nodes().subList(1, kube.nodes().size())) {
            kube.kubectl("label", "node", node.name(), "vpccni-test/ipamd=on", "--overwrite").orThrow();
        }
        kube.kubectl("-n", "kube-system", "patch", "daemonset", "vpc-cni", "--type=merge", "-p",
                "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"vpccni-test/ipamd\":\"on\"}}}}}").orThrow();
        awaitNoIpamd(nodeA, Duration.ofSeconds(120));
        assertThat(curl(nodeA.simulated(), "/healthz").ok()).as("ipamd down on %s", nodeA).isFalse();

        deleteDeployment("lonely");
        awaitRunning("app=lonely", 0, Duration.ofSeconds(120));
        assertThat(nodeA.simulated().namespace().ip("-o", "link", "show").lines().filter(l -> l.contains(": eni"))
                .toList()).as("the pod's host veth, removed by the standalone plugin's DEL").isEmpty();
        assertThat(nodeA.simulated().namespace().ip("rule", "show")).doesNotContain(ip + " ");

        kube.kubectl("-n", "kube-system", "patch", "daemonset", "vpc-cni", "--type=json", "-p",
                "[{\"op\":\"remove\",\"path\":\"/spec/template/spec/nodeSelector/vpccni-test~1ipamd\"}]")
                .orThrow();
        kube.kubectl("-n", "kube-system", "rollout", "status", "daemonset/vpc-cni", "--timeout=240s").orThrow();
        // Back, ipamd finds the address held for a pod whose veth is gone and releases it.
        awaitPool(nodeA, -1, Duration.ofSeconds(120));
        assertThat(curl(nodeA.simulated(), "/v1/enis").orThrow().stdout()).as("%s no longer held", ip)
                .doesNotContain("\"ip\":\"" + ip + "\",\"state\":\"assigned\"");
    }

    @Test
    @Order(5)
    void aPodsHostPortIsReachedThroughItsNodesAddressAndGoesWithThePod() throws Exception {
        kube.awaitNodesReady(Duration.ofSeconds(180));
        KubeNode nodeA = kube.nodes().getFirst();
        KubeNode nodeB = kube.nodes().get(1);
        String nodeIp = kube.box().primaryIp(nodeA.simulated());
        assertThat(echo(nodeB, nodeIp, HOST_PORT).ok()).as("%s:%d answers before the pod", nodeIp, HOST_PORT)
                .isFalse();
        kube.client().pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("hostport")
                .addToLabels("app", "hostport").endMetadata().withNewSpec().withNodeName(nodeA.name())
                .withTerminationGracePeriodSeconds(0L).addNewContainer().withName("echo")
                .withImage(KubeImages.NETPOL_SERVER).withImagePullPolicy("Never").withArgs("serve").addNewPort()
                .withContainerPort(80).withHostPort(HOST_PORT).withProtocol("TCP").endPort().endContainer().endSpec()
                .build()).create();
        String podIp = awaitRunning("app=hostport", 1, Duration.ofSeconds(120)).getFirst().getStatus().getPodIP();
        // containerd chained portmap after our plugin (the conflist ipamd wrote): its DNAT on node-a's address.
        assertThat(nodeA.nodeExec(List.of("iptables-save", "-t", "nat")).orThrow().stdout())
                .as("portmap's DNAT of %d to %s:80 on %s", HOST_PORT, podIp, nodeA)
                .containsPattern("--dport " + HOST_PORT + " .*--to-destination " + podIp.replace(".", "\\.")
                        + ":80");
        // From the other node, through the VPC, to node-a's address: the pod's server echoes the line back.
        Exec.Result echoed = echo(nodeB, nodeIp, HOST_PORT);
        assertThat(echoed.stdout().strip()).as("%s:%d from %s (%s)", nodeIp, HOST_PORT, nodeB, echoed.stderr())
                .isEqualTo(ECHO_LINE);

        kube.client().pods().inNamespace("default").withName("hostport").delete();
        awaitRunning("app=hostport", 0, Duration.ofSeconds(120));
        // The pod leaves the API once its containers are gone; its sandbox's DEL, portmap's among it, may come after.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String nat;
        while ((nat = nodeA.nodeExec(List.of("iptables-save", "-t", "nat")).orThrow().stdout())
                .contains(podIp + ":80") && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(nat).as("portmap's rules for the deleted pod after 60 s").doesNotContain(podIp + ":80");
        assertThat(echo(nodeB, nodeIp, HOST_PORT).ok()).as("%s:%d answers after the pod", nodeIp, HOST_PORT)
                .isFalse();
    }

    /** A line written to {@code ip:port} over TCP from {@code from}'s node namespace and what comes back (5 s). */
    private static Exec.Result echo(KubeNode from, String ip, int port) {
        return from.simulated().namespace().exec(Map.of(), null, List.of("timeout", "5", "bash", "-c",
                "exec 3<>/dev/tcp/$0/$1 && echo $2 >&3 && head -n1 <&3", ip, Integer.toString(port), ECHO_LINE));
    }

    @Test
    @Order(6)
    void customNetworkingPutsNewEnisAndTheirPodsInTheEniConfigsSubnet() throws Exception {
        kube.awaitNodesReady(Duration.ofSeconds(180));
        String podSubnet = kube.box().vpc().subnet(8, Map.of());
        String podSubnetCidr = kube.box().ec2().describeSubnets(b -> b.subnetIds(podSubnet)).subnets().getFirst()
                .cidrBlock();
        Path eniConfig = Files.createTempFile("vpccni-eniconfig-", ".yaml");
        try {
            Files.writeString(eniConfig, """
                    apiVersion: crd.k8s.amazonaws.com/v1alpha1
                    kind: ENIConfig
                    metadata: {name: pods}
                    spec:
                      subnet: %s
                      securityGroups: [%s]
                    """.formatted(podSubnet, kube.box().vpc().securityGroupId()));
            kube.kubectl("apply", "-f", eniConfig.toString()).orThrow();
        } finally {
            Files.delete(eniConfig);
        }
        for (KubeNode node : kube.nodes()) {
            kube.kubectl("label", "node", node.name(), "k8s.amazonaws.com/eniConfig=pods", "--overwrite").orThrow();
        }
        SharedKube.deploy(ROLLED_TAG, Map.of("IP_COOLDOWN_PERIOD", "5", "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",
                "true"));
        kube.kubectl("-n", "kube-system", "rollout", "status", "daemonset/vpc-cni", "--timeout=240s").orThrow();
        KubeNode nodeB = kube.nodes().get(1);
        // More pods than the addresses node-b's ENIs from before hold: the pool must grow, into the pod subnet.
        createPauseDeployment("custom", 14, nodeB.name());
        List<Pod> pods = awaitRunning("app=custom", 14, Duration.ofSeconds(180));
        List<String> inPodSubnet = pods.stream().map(p -> p.getStatus().getPodIP())
                .filter(ip -> io.vpccni.netlink.ip.Ipv4Cidr.parse(podSubnetCidr)
                        .contains(io.vpccni.netlink.ip.Ipv4Address.parse(ip))).toList();
        assertThat(inPodSubnet).as("pods with an address of the ENIConfig's subnet %s", podSubnetCidr).isNotEmpty();
        for (Pod pod : pods) {
            EniLink eni = kube.box().eniOf(pod.getStatus().getPodIP()).orElseThrow();
            assertThat(eni.deviceIndex()).as("%s not on the primary ENI", pod.getStatus().getPodIP()).isNotZero();
        }
        var enis = kube.box().ec2().describeNetworkInterfaces(b -> b.filters(f -> f.name("attachment.instance-id")
                .values(nodeB.simulated().instanceId()))).networkInterfaces();
        assertThat(enis.stream().filter(e -> e.subnetId().equals(podSubnet)).toList()).as("ENIs in the pod subnet")
                .isNotEmpty().allSatisfy(e -> assertThat(e.groups().stream().map(g -> g.groupId()).toList())
                        .containsExactly(kube.box().vpc().securityGroupId()));
        kube.nodes().getFirst().simulated().namespace().exec(Map.of(), null, List.of("ping", "-c1", "-W2",
                inPodSubnet.getFirst())).orThrow();
        deleteDeployment("custom");
    }

    private void awaitNoIpamd(KubeNode node, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!kube.client().pods().inNamespace("kube-system").withLabel("app.kubernetes.io/name", "vpc-cni")
                .list().getItems().stream().noneMatch(p -> node.name().equals(p.getSpec().getNodeName()))
                || curl(node.simulated(), "/healthz").ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("ipamd still on " + node + " after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(500);
        }
    }

    private void createPauseDeployment(String name, int replicas) {
        createPauseDeployment(name, replicas, null);
    }

    /** A Deployment of pause containers; on {@code nodeName} only when it is not null. */
    private void createPauseDeployment(String name, int replicas, String nodeName) {
        Deployment deployment = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace("default")
                .endMetadata().withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name)
                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().withNodeName(nodeName).withTerminationGracePeriodSeconds(1L).addNewContainer()
                .withName("pause")
                .withImage(KubeNode.PAUSE_IMAGE).withImagePullPolicy("Never").endContainer().endSpec().endTemplate()
                .endSpec().build();
        kube.client().apps().deployments().inNamespace("default").resource(deployment).create();
    }

    private void deleteDeployment(String name) throws InterruptedException {
        kube.client().apps().deployments().inNamespace("default").withName(name).scale(0);
        awaitRunning("app=" + name, 0, Duration.ofSeconds(180));
        kube.client().apps().deployments().inNamespace("default").withName(name).delete();
    }

    private List<Pod> awaitRunning(String selector, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Pod> pods = kube.client().pods().inNamespace("default").withLabel(selector.split("=")[0],
                    selector.split("=")[1]).list().getItems();
            List<Pod> running = pods.stream().filter(p -> p.getStatus() != null
                    && "Running".equals(p.getStatus().getPhase()) && p.getStatus().getPodIP() != null
                    && p.getMetadata().getDeletionTimestamp() == null).toList();
            if (count == 0 ? pods.isEmpty() : running.size() == count) {
                return running;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(running.size() + " of " + count + " pods running, " + pods.size()
                        + " in all, after " + timeout.toSeconds() + " s:\n"
                        + kube.kubectl("get", "pods", "-o", "wide").stdout()
                        + kube.kubectl("get", "events", "-A", "--sort-by=.lastTimestamp").stdout().lines()
                        .skip(Math.max(0, kube.kubectl("get", "events", "-A").stdout().lines().count() - 30))
                        .collect(Collectors.joining("\n")));
            }
            Thread.sleep(500);
        }
    }

    /** The pool's address count once it has not changed for 5 s (a pool just started may still be growing). */
    private long settledTotal(KubeNode node, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long total = -1;
        long since = System.nanoTime();
        while (true) {
            long now = pool(node).path("addresses").path("total").asLong();
            if (now != total) {
                total = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > Duration.ofSeconds(5).toNanos()) {
                return total;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(node + "'s pool still changing after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(500);
        }
    }

    /** Waits until the node's pool holds no assigned address and, unless {@code warmTotal} is negative, that many. */
    private void awaitPool(KubeNode node, long warmTotal, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode addresses = pool(node).path("addresses");
            if (addresses.path("assigned").asLong() == 0
                    && (warmTotal < 0 || addresses.path("total").asLong() == warmTotal)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(node + "'s pool is not back to its warm state (" + warmTotal
                        + " addresses, none assigned) after " + timeout.toSeconds() + " s: " + addresses);
            }
            Thread.sleep(1000);
        }
    }

    private JsonNode pool(KubeNode node) throws Exception {
        // The first /v1/pool of a daemon started seconds before renders its first JSON: on a starved machine (a CI
        // run beside a 500-node fleet simulation) that once took longer than curl's 5 s. Asked again, three times
        // at most, so that a daemon that never answers still fails here.
        for (int attempt = 1; ; attempt++) {
            Exec.Result reply = curl(node.simulated(), "/v1/pool");
            if (reply.ok() || reply.exit() != CURL_TIMED_OUT || attempt == 3) {
                return JSON.readTree(reply.orThrow().stdout());
            }
            log(String.format("/v1/pool on %s gave no answer within 5 s (attempt %d); asking again", node, attempt));
        }
    }

    /** curl's exit status when --max-time passed. */
    private static final int CURL_TIMED_OUT = 28;

    private static Exec.Result curl(SimulatedNodeNs node, String path) {
        return node.namespace().exec(Map.of(), null, List.of("curl", "-sS", "--max-time", "5",
                "http://127.0.0.1:61679" + path));
    }
}
