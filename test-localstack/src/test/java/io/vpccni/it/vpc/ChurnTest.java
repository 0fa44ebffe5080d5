package io.vpccni.it.vpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpccni.netlink.testing.Shell;
import io.vpccni.rpc.veth.HostVethName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;

/**
 * Churn on the simulated VPC, in secondary-IP mode and in prefix mode: nodes each run a stream of CNI ADDs and DELs
 * through the real plugin, all at once, while ipamd is SIGKILLed at random moments and restarted the way the
 * DaemonSet would restart it. An ADD
 * that fails meanwhile is retried as kubelet retries a sandbox (DEL, then ADD), and so is a failed DEL; only the
 * state at the end is judged: no address held twice, nothing left behind in any node's kernel, and every node's
 * datastore agreeing with the emulator's ENIs. The churn runs in {@link ChurnHarness}; this class sets it up and
 * judges what it leaves.
 *
 * <p>Random choices (operations, kill moments, victims) come from one seed, printed first; rerun a failure with
 * {@code -Dchurn.seed=N}. {@code -Dchurn.operations} and {@code -Dchurn.kills} (prefix mode: {@code
 * -Dchurn.prefixOperations}, {@code -Dchurn.prefixKills}) size a shorter run while debugging.
 */
@Tag("privileged")
class ChurnTest {

    private static final int OPERATIONS = Integer.getInteger("churn.operations", 2_000);
    private static final int KILLS = Integer.getInteger("churn.kills", 10);
    private static final long SEED = Long.getLong("churn.seed", System.nanoTime());
    // t3.small: 3 pod addresses per ENI, so a node with 4 or 5 pods needs a secondary ENI.
    private static final int MAX_LIVE_PER_NODE = 5;
    private static final int PREFIX_OPERATIONS = Integer.getInteger("churn.prefixOperations", 600);
    private static final int PREFIX_KILLS = Integer.getInteger("churn.prefixKills", 4);
    // t3.small in prefix mode: 16 addresses a /28, so 20 pods need a second prefix.
    private static final int PREFIX_MAX_LIVE_PER_NODE = 20;
    // Longer than any ipamd restart under load: a retried ADD waits for the restarted daemon, it must not give up.
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    // After each restart a node serves this long before it can be killed again. Kills are planned by operation
    // count and a node's next kill waits for its last restart (15-25 s under this load), so without it kills
    // planned close together on one node ran back to back: four in a row kept one node's ipamd away for 80 s,
    // and a slower machine takes that past PATIENCE (a CI run failed so). A real daemon that dies again at once
    // is a crash loop, which is another test.
    private static final Duration SERVES_BEFORE_NEXT_KILL = Duration.ofSeconds(10);
    private static final String POD_NAMESPACE = "default"; // what CniRuntime passes as K8S_POD_NAMESPACE
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void twoThousandAddsAndDelsWithIpamdKilledLeaveNothingBehind() throws Exception {
        // Cooldown short (a) or none (b, c): a DEL every second or so with the default 30 s would leave a t3.small
        // nothing to hand out. b keeps a warm IP target instead of a warm ENI, so its pool grows and shrinks with
        // the load; c SNATs externally, a different set of node rules to restore after each restart.
        churn(new Run(List.of(
                new VpcBox.NodeSpec("a", "t3.small", Map.of("IP_COOLDOWN_PERIOD", "2")),
                new VpcBox.NodeSpec("b", "t3.small", Map.of("IP_COOLDOWN_PERIOD", "0", "WARM_IP_TARGET", "2")),
                new VpcBox.NodeSpec("c", "t3.small", Map.of("IP_COOLDOWN_PERIOD", "0",
                        "AWS_VPC_K8S_CNI_EXTERNALSNAT", "true"))), OPERATIONS, KILLS, MAX_LIVE_PER_NODE));
    }

    /**
     * The same churn in prefix mode: pods get addresses out of real /28s, up to 20 live pods a node so a second
     * prefix comes and goes; a with WARM_PREFIX_TARGET=1 (the chart's default), b with WARM_IP_TARGET=2, sized
     * in /28s.
     */
    @Test
    void prefixModeAddsAndDelsWithIpamdKilledLeaveNothingBehind() throws Exception {
        churn(new Run(List.of(
                new VpcBox.NodeSpec("a", "t3.small", Map.of("ENABLE_PREFIX_DELEGATION", "true",
                        "WARM_PREFIX_TARGET", "1", "IP_COOLDOWN_PERIOD", "2")),
                new VpcBox.NodeSpec("b", "t3.small", Map.of("ENABLE_PREFIX_DELEGATION", "true",
                        "WARM_IP_TARGET", "2", "IP_COOLDOWN_PERIOD", "0"))),
                PREFIX_OPERATIONS, PREFIX_KILLS, PREFIX_MAX_LIVE_PER_NODE));
    }

    /** One churn: the nodes, how many operations and kills, and how many pods a node holds at most. */
    private record Run(List<VpcBox.NodeSpec> nodes, int operations, int kills, int maxLivePerNode) {}

    private void churn(Run run) throws Exception {
        Shell.require("root".equals(System.getProperty("user.name")), "namespaces need root");
        Shell.require(Files.isExecutable(Path.of("../cni/target/plugin/bin/vpc-cni")), "packaged plugin missing");
        System.out.println("[churn] seed " + SEED + " (replay with -Dchurn.seed=" + SEED + "): " + run.operations()
                + " operations, " + run.kills() + " kills");
        long started = System.nanoTime();
        try (VpcBox box = VpcBox.start(run.nodes(), line -> System.out.println("[vpc] " + line))) {
            List<SimulatedNodeNs> nodes = box.nodes();
            // cnitool is one more process per call; VpcInABoxTest covers the plugin under cnitool.
            nodes.forEach(node -> node.cni().runPluginDirectly());
            List<ChurnHarness.Kill> kills = ChurnHarness.planKills(new Random(SEED), nodes.size(), run.operations(),
                    run.kills());
            System.out.println("[churn] kills planned: " + kills);
            System.out.printf("[churn] box up in %.1f s%n", (System.nanoTime() - started) / 1e9);

            ChurnHarness churn = new ChurnHarness(box, run.operations(), run.maxLivePerNode(), SEED, PATIENCE,
                    SERVES_BEFORE_NEXT_KILL);
            double churnSeconds = churn.run(kills);
            System.out.println("[churn] " + churn.report(churnSeconds));
            churn.failIfStopped();
            assertThat(churn.problems).as("addresses given twice (seed %d)", SEED).isEmpty();
            assertThat(churn.tally.operations.get()).isGreaterThanOrEqualTo(run.operations());
            assertThat(churn.tally.kills.get()).isEqualTo(run.kills());

            assertTheEndStateIsClean(box, churn.live, churn.everHeld);
            System.out.printf("[churn] seed %d: %d operations, %d kills, %.1f s churn, %.1f s in all%n", SEED,
                    churn.tally.operations.get(), churn.tally.kills.get(), churnSeconds,
                    (System.nanoTime() - started) / 1e9);
        }
    }

    /**
     * Only the end is judged: no address held by two live pods, each node's ipamd alive with nothing left behind in
     * its kernel, its datastore agreeing with the emulator, and the live pods reaching each other.
     */
    private static void assertTheEndStateIsClean(VpcBox box, Map<SimulatedNodeNs, List<PodNs>> live,
                                                 Map<SimulatedNodeNs, Set<String>> everHeld) throws Exception {
        List<String> all = box.pods().stream().map(PodNs::ip).toList();
        assertThat(Set.copyOf(all)).as("addresses held by the live pods").hasSameSizeAs(all);
        for (SimulatedNodeNs node : box.nodes()) {
            assertThat(node.ipamd().alive()).as("ipamd of %s", node.name()).isTrue();
            assertNothingLeftBehind(node, live.get(node), everHeld.get(node));
        }
        // The datastore may still be mid-way through a pool change (an ENI attaching or shrinking): wait for it
        // to settle before calling a difference a mismatch.
        for (SimulatedNodeNs node : box.nodes()) {
            awaitDatastoreMatchesEmulator(box, node, live.get(node));
        }
        box.reconciler().awaitNextPass();
        assertLivePodsReachEachOther(box.nodes(), live);
    }

    /**
     * The node's kernel holds exactly what its live pods need: one host veth each, the rule to each pod, a route to
     * each pod, and nothing for an address a pod released; ipamd's checkpoint holds exactly the live pods.
     */
    private static void assertNothingLeftBehind(SimulatedNodeNs node, List<PodNs> pods, Set<String> everHeld)
            throws Exception {
        Namespace ns = node.namespace();
        Set<String> liveIps = pods.stream().map(PodNs::ip).collect(Collectors.toCollection(TreeSet::new));
        Set<String> released = new TreeSet<>(everHeld);
        released.removeAll(liveIps);
        System.out.println("[churn] " + node.name() + ": " + pods.size() + " live pods " + liveIps + ", "
                + everHeld.size() + " addresses used");

        Set<String> veths = ns.ip("-o", "link", "show").lines().map(l -> l.split(": ")[1].split("@")[0])
                .filter(n -> n.startsWith("eni")).collect(Collectors.toCollection(TreeSet::new));
        Set<String> expectedVeths = pods.stream().map(p -> HostVethName.of("eni", POD_NAMESPACE, p.name()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(veths).as("host veths of %s", node.name()).isEqualTo(expectedVeths);

        String rules = ns.ip("-4", "rule", "show");
        String routes = ns.ip("-4", "route", "show", "table", "all");
        Set<String> ruledTo = new TreeSet<>();
        for (String rule : rules.lines().toList()) {
            List<String> words = List.of(rule.replace(":", "").trim().split("\\s+"));
            if (words.contains("to") && words.getFirst().equals("512")) {
                ruledTo.add(words.get(words.indexOf("to") + 1));
            }
        }
        assertThat(ruledTo).as("addresses with a to-pod rule on %s:%n%s", node.name(), rules).isEqualTo(liveIps);
        Map<String, String> podRoutes = new TreeMap<>();
        for (String route : routes.lines().toList()) {
            List<String> words = List.of(route.trim().split("\\s+"));
            int dev = words.indexOf("dev");
            if (dev > 0 && words.get(dev + 1).startsWith("eni")) {
                podRoutes.put(words.getFirst(), words.get(dev + 1));
            }
        }
        assertThat(podRoutes.keySet()).as("addresses routed to a host veth on %s", node.name()).isEqualTo(liveIps);
        for (PodNs pod : pods) {
            assertThat(podRoutes.get(pod.ip())).as("veth routed to %s", pod.name())
                    .isEqualTo(HostVethName.of("eni", POD_NAMESPACE, pod.name()));
        }
        for (String ip : released) {
            assertThat(words(rules)).as("rules of %s mention released %s:%n%s", node.name(), ip, rules)
                    .doesNotContain(ip, ip + "/32");
            assertThat(words(routes)).as("routes of %s mention released %s:%n%s", node.name(), ip, routes)
                    .doesNotContain(ip, ip + "/32");
        }

        JsonNode checkpoint = JSON.readTree(node.dir().resolve("ipam.json").toFile());
        Map<String, String> inCheckpoint = new TreeMap<>();
        checkpoint.path("allocations").forEach(a -> inCheckpoint.put(a.path("ipv4").asText(),
                a.path("metadata").path("k8sPodName").asText()));
        assertThat(inCheckpoint).as("%s's checkpoint (address -> pod)", node.name()).isEqualTo(byIp(pods));
    }

    /**
     * Live pods by address, to compare with what ipamd recorded. By pod name, not container id: cnitool makes up
     * its own container id from the namespace path.
     */
    private static Map<String, String> byIp(List<PodNs> pods) {
        return pods.stream().collect(Collectors.toMap(PodNs::ip, PodNs::name, (x, y) -> x, TreeMap::new));
    }

    private static Set<String> words(String text) {
        return new java.util.HashSet<>(List.of(text.split("\\s+")));
    }

    /**
     * ipamd's /v1/enis, read inside the node, against DescribeNetworkInterfaces for the node's instance: the same
     * ENIs, every address in the datastore on the ENI EC2 has it on and every secondary address EC2 gave the node
     * in the datastore (else it is lost to both), and exactly the live pods' addresses assigned, to them.
     */
    private static void awaitDatastoreMatchesEmulator(VpcBox box, SimulatedNodeNs node, List<PodNs> pods)
            throws Exception {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        long started = System.nanoTime();
        List<String> differences;
        while (true) {
            differences = datastoreVersusEmulator(box, node, pods);
            if (differences.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(differences).as("%s: datastore against the emulator", node.name()).isEmpty();
        System.out.printf("[churn] %s: datastore matches the emulator (after %.1f s)%n", node.name(),
                (System.nanoTime() - started) / 1e9);
    }

    private static List<String> datastoreVersusEmulator(VpcBox box, SimulatedNodeNs node, List<PodNs> pods)
            throws Exception {
        List<String> differences = new ArrayList<>();
        Exec.Result fetched = node.namespace().exec(Map.of(), null, List.of("curl", "-fsS", "--max-time", "5",
                "http://127.0.0.1:61679/v1/enis"));
        if (!fetched.ok()) {
            return List.of("/v1/enis unreadable: " + fetched.stderr().strip());
        }
        Map<String, Set<String>> datastore = new TreeMap<>();
        Map<String, String> assigned = new TreeMap<>();
        for (JsonNode eni : JSON.readTree(fetched.stdout()).path("enis")) {
            Set<String> cidrs = new TreeSet<>();
            for (JsonNode cidr : eni.path("cidrs")) {
                cidrs.add(cidr.path("cidr").asText());
                for (JsonNode address : cidr.path("addresses")) {
                    if (address.path("state").asText().equals("assigned")) {
                        assigned.put(address.path("ip").asText(), address.path("holder").path("podName")
                                .asText());
                    }
                }
            }
            datastore.put(eni.path("eniId").asText(), cidrs);
        }
        Map<String, Set<String>> ec2 = new TreeMap<>();
        List<NetworkInterface> enis = box.ec2().describeNetworkInterfaces(b -> b.filters(f -> f.name("vpc-id")
                .values(box.vpc().vpcId()))).networkInterfaces();
        for (NetworkInterface eni : enis) {
            if (eni.attachment() == null || !node.instanceId().equals(eni.attachment().instanceId())) {
                continue;
            }
            Set<String> cidrs = new TreeSet<>();
            eni.privateIpAddresses().stream().filter(ip -> !Boolean.TRUE.equals(ip.primary()))
                    .forEach(ip -> cidrs.add(ip.privateIpAddress() + "/32"));
            eni.ipv4Prefixes().forEach(p -> cidrs.add(p.ipv4Prefix()));
            ec2.put(eni.networkInterfaceId(), cidrs);
        }
        if (!datastore.keySet().equals(ec2.keySet())) {
            differences.add("ENIs: datastore " + datastore.keySet() + ", emulator " + ec2.keySet());
        }
        datastore.forEach((eni, cidrs) -> {
            Set<String> onEni = ec2.getOrDefault(eni, Set.of());
            if (!cidrs.equals(onEni)) {
                differences.add(eni + ": datastore " + cidrs + ", emulator " + onEni);
            }
        });
        Map<String, String> expected = byIp(pods);
        if (!assigned.equals(expected)) {
            differences.add("assigned: datastore " + assigned + ", live pods " + expected);
        }
        return differences;
    }

    /** The data plane survived the churn: each live pod reaches a pod of the next node, seen at its own address. */
    private static void assertLivePodsReachEachOther(List<SimulatedNodeNs> nodes,
                                                     Map<SimulatedNodeNs, List<PodNs>> live) throws Exception {
        for (int i = 0; i < nodes.size(); i++) {
            List<PodNs> targets = live.get(nodes.get((i + 1) % nodes.size()));
            for (PodNs from : live.get(nodes.get(i))) {
                for (PodNs to : targets.subList(0, Math.min(2, targets.size()))) {
                    assertThat(reachWithin(from, to, Duration.ofSeconds(15))).as(describe(from, to)).isEqualTo(from.ip());
                }
            }
        }
    }

    /**
     * {@code from.reach(to)}, tried again for up to {@code window}: the check runs seconds after the last ipamd
     * restarts, and a pair that needs a retry is printed, so a slow convergence is visible in the log rather than
     * hidden. A pair still unreachable after the window fails with both nodes' rules and routes.
     */
    private static String reachWithin(PodNs from, PodNs to, Duration window) throws InterruptedException {
        long deadline = System.nanoTime() + window.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                String seen = from.reach(to.ip());
                if (attempt > 1) {
                    System.out.println("[churn] " + describe(from, to) + " reached at attempt " + attempt);
                }
                return seen;
            } catch (IOException e) {
                System.out.println("[churn] " + describe(from, to) + " attempt " + attempt + ": " + e);
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(describe(from, to) + " unreachable for " + window + ": " + e
                            + "\n" + kernelState(from.node()) + "\n" + kernelState(to.node()), e);
                }
                Thread.sleep(1_000);
            }
        }
    }

    private static String describe(PodNs from, PodNs to) {
        return from.name() + " (" + from.ip() + " on " + from.node().name() + ") -> " + to.name() + " (" + to.ip()
                + " on " + to.node().name() + ")";
    }

    private static String kernelState(SimulatedNodeNs node) {
        Namespace ns = node.namespace();
        return "node " + node.name() + " rules:\n" + ns.ip("rule") + "\nroutes:\n" + ns.ip("route", "show", "table", "all");
    }
}
