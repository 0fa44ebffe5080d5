package io.vpccni.it.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.vpccni.it.vpc.Exec;
import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpointCodec;
import io.vpccni.policy.endpoint.PolicyEndpointLabels;
import io.vpccni.policy.resolve.ClusterState;
import io.vpccni.policy.resolve.MatrixCluster;
import io.vpccni.policy.resolve.MatrixCluster.Step;
import io.vpccni.policy.resolve.PolicyCases;
import io.vpccni.policy.resolve.PolicyResolver;
import io.vpccni.policy.resolve.Reach;
import io.vpccni.policy.resolve.Resolution;
import io.vpccni.policy.resolve.ResolvedEndpoint;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The network-policy matrix in the shape of Kubernetes' own e2e tests (test/e2e/network/netpol), on Kubernetes in
 * the box ({@link SharedKube}'s cluster, after {@link KubernetesInTheBoxTest}): namespaces x, y, z with pods a, b, c
 * each (network-policy's {@link MatrixCluster}: its labels, container ports and node placement, a and c on node-a, b
 * on node-b), each serving TCP 80 and 81 and UDP 80; the chart deployed with {@code enableNetworkPolicy: true}, so
 * that the policy controller's Deployment writes PolicyEndpoints and the agent in each node's ipamd enforces them. Every case of {@link PolicyCases} (the resolver's table, one
 * definition) is replayed through the real API server, and at each of its expectations the whole matrix (9 pods x 8
 * peers x 3 ports) is probed from inside the pods and compared with the expected one.
 *
 * <p>Between a change and its probes the test waits for conditions, not for time: the PolicyEndpoints in the API
 * server equal the resolution of the live pods and namespaces, each node's agent reports as many enforced as the API
 * has for it, and then the matrix is probed until it matches (an update reaches the kernel a few hundred ms after the
 * agent has it), within a bound. The cases' ipBlocks name the model's addresses (a /24 per namespace); here they are
 * rewritten to select the same pods by their real addresses ({@link #translated}).
 */
@Tag("privileged")
@ExtendWith(SharedKube.class)
@Order(Integer.MAX_VALUE - 1)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkPolicyMatrixTest {

    private static final String IMAGE_TAG = SharedKube.IMAGE_TAG;
    private static final String SERVER_IMAGE = KubeImages.NETPOL_SERVER;
    private static final Map<String, String> NODE_OF_MODEL = Map.of("node-1", "node-a", "node-2", "node-b");
    /** Long enough for a SYN's answer across nodes on a loaded machine; a dropped probe costs this much. */
    private static final int PROBE_TIMEOUT_MS = 1500;
    private static final Duration ENFORCEMENT_BOUND = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private KubeInABox kube;
    private long classStarted;
    private PodProber prober;
    /** namespace/name -> the pod's address. */
    private final Map<String, String> ips = new TreeMap<>();
    /** Per expectation: from the change to the end of the probe round that saw the expected matrix. */
    private final List<Double> enforcementSeconds = Collections.synchronizedList(new ArrayList<>());
    /** Per expectation: from the change to the start of that round (the probes of a round take up to a time-out). */
    private final List<Double> roundStartSeconds = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    void deployAndStartTheMatrixPods() throws Exception {
        classStarted = System.nanoTime();
        kube = SharedKube.kube();
        long deployed = System.nanoTime();
        if (!SharedKube.deployed()) {
            SharedKube.deploy(IMAGE_TAG, Map.of());
        }
        SharedKube.awaitDeployed(Duration.ofSeconds(180));
        log(String.format("nodes Ready and the policy controller rolled out %.1f s after the class began",
                (System.nanoTime() - deployed) / 1e9));

        long podsStarted = System.nanoTime();
        MatrixCluster model = new MatrixCluster();
        for (Namespace ns : model.namespaces()) {
            kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata()
                    .withName(ns.getMetadata().getName()).withLabels(ns.getMetadata().getLabels()).endMetadata()
                    .build()).create();
        }
        for (Pod modelPod : model.pods()) {
            String key = modelPod.getMetadata().getNamespace() + "/" + modelPod.getMetadata().getName();
            if (!MatrixCluster.PROBED.contains(key)) {
                continue; // the model's pods that are no endpoints (pending, host network, finished)
            }
            kube.client().pods().resource(new PodBuilder().withNewMetadata()
                    .withNamespace(modelPod.getMetadata().getNamespace()).withName(modelPod.getMetadata().getName())
                    .withLabels(modelPod.getMetadata().getLabels()).endMetadata().withNewSpec()
                    .withNodeName(NODE_OF_MODEL.get(modelPod.getSpec().getNodeName()))
                    .withTerminationGracePeriodSeconds(0L).addNewContainer().withName("server")
                    .withImage(SERVER_IMAGE).withImagePullPolicy("Never").withArgs("serve")
                    .withPorts(modelPod.getSpec().getContainers().getFirst().getPorts()).endContainer().endSpec()
                    .build()).create();
        }
        awaitPodsRunning(Duration.ofSeconds(180));
        prober = PodProber.find();
        assertThat(ips.values()).allSatisfy(ip -> assertThat(prober.knows(ip)).as("server process of %s", ip)
                .isTrue());
        log(String.format("9 matrix pods Running %.1f s after they were created: %s",
                (System.nanoTime() - podsStarted) / 1e9, ips));
    }

    @AfterAll
    void report() {
        logPercentiles("change -> matrix observed", enforcementSeconds);
        logPercentiles("change -> start of the probe round that observed it", roundStartSeconds);
        log(String.format("class done in %.1f s", (System.nanoTime() - classStarted) / 1e9));
    }

    private static void logPercentiles(String what, List<Double> seconds) {
        List<Double> sorted = seconds.stream().sorted().toList();
        if (!sorted.isEmpty()) {
            log(String.format("%s: %d expectations, p50 %.2f s, p99 %.2f s, max %.2f s", what, sorted.size(),
                    sorted.get(sorted.size() / 2),
                    sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)),
                    sorted.getLast()));
        }
    }

    private static void log(String line) {
        System.out.println("[netpol] " + line);
    }

    static List<PolicyCases.Case> cases() {
        return PolicyCases.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Order(1)
    void theObservedMatrixIsTheExpectedOne(PolicyCases.Case c) throws Exception {
        try {
            long changed = System.nanoTime();
            int expectation = 0;
            for (Step step : c.steps()) {
                switch (step) {
                    case Step.Expect expect -> {
                        awaitMatrix(expect.reach(), changed, "expectation " + ++expectation + " of \"" + c + "\"");
                        changed = System.nanoTime();
                    }
                    default -> {
                        apply(step);
                        changed = System.nanoTime();
                    }
                }
            }
        } catch (Exception | Error e) {
            log("FAILED \"" + c + "\": " + e);
            throw e;
        } finally {
            reset();
        }
    }

    /**
     * A policy added while a connection is open: new connections into x are denied, the open one (x/b on node-b to
     * x/a on node-a) keeps its conntrack entry and still echoes, as upstream's agent leaves established flows; the
     * policy deleted, every connection is allowed again.
     */
    @Test
    @Order(2)
    void aPolicyAddedWhileAConnectionIsOpenDeniesNewConnectionsAndKeepsTheOpenOne() throws Exception {
        try (PodProber.Held held = prober.hold(ips.get("x/b"), ips.get("x/a"), 80)) {
            assertThat(held.echoes("before")).as("the open connection before the policy").isTrue();
            kube.client().network().v1().networkPolicies().inNamespace("x").resource(
                    new Step.AddPolicy("""
                            apiVersion: networking.k8s.io/v1
                            kind: NetworkPolicy
                            metadata: {name: deny-ingress, namespace: x}
                            spec:
                              podSelector: {}
                              policyTypes: [Ingress]
                            """).policy()).create();
            awaitMatrix(p -> !p.toNs("x"), System.nanoTime(), "deny ingress into x with a connection open");
            assertThat(held.echoes("after")).as("the connection opened before the policy, after it").isTrue();
            kube.client().network().v1().networkPolicies().inNamespace("x").withName("deny-ingress").delete();
            awaitMatrix(Reach.ALL, System.nanoTime(), "the policy deleted");
            assertThat(held.echoes("again")).isTrue();
        } finally {
            reset();
        }
    }

    private void apply(Step step) {
        var client = kube.client();
        switch (step) {
            case Step.AddPolicy add -> {
                NetworkPolicy policy = translated(add.policy());
                client.network().v1().networkPolicies().inNamespace(policy.getMetadata().getNamespace())
                        .resource(policy).create();
            }
            case Step.DeletePolicy del ->
                    client.network().v1().networkPolicies().inNamespace(del.namespace()).withName(del.name()).delete();
            case Step.LabelPod label -> {
                String[] pod = label.pod().split("/");
                var resource = client.pods().inNamespace(pod[0]).withName(pod[1]);
                String patch = labelsPatch(resource.get().getMetadata().getLabels(), label.labels());
                if (patch != null) {
                    resource.patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                }
            }
            case Step.LabelNamespace label -> {
                Map<String, String> labels = new HashMap<>(label.labels());
                labels.put("kubernetes.io/metadata.name", label.namespace());
                var resource = client.namespaces().withName(label.namespace());
                String patch = labelsPatch(resource.get().getMetadata().getLabels(), labels);
                if (patch != null) {
                    resource.patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                }
            }
            case Step.Expect e -> throw new IllegalArgumentException("not a change: " + e);
        }
    }

    /** A JSON merge patch that makes the labels {@code wanted} (others removed), or null when they already are. */
    private static String labelsPatch(Map<String, String> current, Map<String, String> wanted) {
        Map<String, String> now = current == null ? Map.of() : current;
        if (now.equals(wanted)) {
            return null;
        }
        Map<String, String> labels = new HashMap<>(wanted);
        now.keySet().stream().filter(k -> !wanted.containsKey(k)).forEach(k -> labels.put(k, null));
        try {
            return JSON.writeValueAsString(Map.of("metadata", Map.of("labels", labels)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Back to the cluster every case starts from: no policy, the model's labels, every connection allowed. */
    private void reset() throws Exception {
        for (String ns : MatrixCluster.NAMESPACES) {
            kube.client().network().v1().networkPolicies().inNamespace(ns).delete();
        }
        MatrixCluster model = new MatrixCluster();
        for (Namespace ns : model.namespaces()) {
            apply(new Step.LabelNamespace(ns.getMetadata().getName(), ns.getMetadata().getLabels()));
        }
        for (Pod pod : model.pods()) {
            String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
            if (MatrixCluster.PROBED.contains(key)) {
                apply(new Step.LabelPod(key, pod.getMetadata().getLabels()));
            }
        }
        awaitMatrix(Reach.ALL, System.nanoTime(), null);
    }

    /**
     * Waits for the controller's objects and the agents to have the current state, then probes the matrix until it
     * is {@code expected}; fails with the probes that disagree after {@link #ENFORCEMENT_BOUND}. {@code what} names
     * the expectation for the log and the figures; null for a reset, which the figures leave out.
     */
    private void awaitMatrix(Reach expected, long changed, String what) throws Exception {
        boolean measured = what != null;
        what = measured ? what : "reset";
        long deadline = changed + ENFORCEMENT_BOUND.toNanos();
        Map<String, Set<PolicyEndpoint>> perNode = awaitPolicyEndpoints(deadline, what);
        awaitAgents(perNode, deadline, what);
        List<String> mismatches;
        int rounds = 0;
        do {
            long round = System.nanoTime();
            mismatches = mismatches(expected);
            rounds++;
            if (mismatches.isEmpty()) {
                double seconds = (System.nanoTime() - changed) / 1e9;
                double before = (round - changed) / 1e9;
                if (measured) {
                    enforcementSeconds.add(seconds);
                    roundStartSeconds.add(before);
                }
                log(String.format("%s: matrix as expected %.2f s after the change (%d probe rounds, the last begun"
                        + " at %.2f s)", what, seconds, rounds, before));
                return;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError(what + ": after " + ENFORCEMENT_BOUND.toSeconds() + " s, " + mismatches.size()
                + " probes differ from the expected matrix:\n" + String.join("\n", mismatches)
                + "\nPolicyEndpoints: " + perNode + "\n" + agentStatuses());
    }

    /** The probes that disagree with {@code expected}, as readable lines. */
    private List<String> mismatches(Reach expected) {
        Map<String, List<PodProber.Target>> targets = new LinkedHashMap<>();
        Map<String, List<Reach.Probe>> probes = new LinkedHashMap<>();
        for (String from : MatrixCluster.PROBED) {
            for (String to : MatrixCluster.PROBED) {
                if (from.equals(to)) {
                    continue;
                }
                for (Reach.Probe.Port port : Reach.PORTS) {
                    targets.computeIfAbsent(ips.get(from), k -> new ArrayList<>())
                            .add(new PodProber.Target(ips.get(to), port));
                    probes.computeIfAbsent(ips.get(from), k -> new ArrayList<>())
                            .add(new Reach.Probe(from, to, port));
                }
            }
        }
        Map<String, List<PodProber.Outcome>> outcomes = prober.probeAll(targets, PROBE_TIMEOUT_MS);
        List<String> out = new ArrayList<>();
        probes.forEach((fromIp, list) -> {
            for (int i = 0; i < list.size(); i++) {
                Reach.Probe probe = list.get(i);
                PodProber.Outcome got = outcomes.get(fromIp).get(i);
                boolean want = expected.allowed(probe);
                if (want ? got != PodProber.Outcome.OK : got != PodProber.Outcome.TIMEOUT) {
                    out.add(probe.from() + " -> " + probe.to() + " " + probe.port() + ": expected "
                            + (want ? "allowed" : "dropped") + ", saw " + got);
                }
            }
        });
        return out;
    }

    /**
     * Waits until the PolicyEndpoints in the API server are exactly what the resolver makes of the live policies,
     * pods and namespaces (the controller has caught up); returns them by node.
     */
    private Map<String, Set<PolicyEndpoint>> awaitPolicyEndpoints(long deadline, String what) throws Exception {
        while (true) {
            ClusterState state = new ClusterState(
                    MatrixCluster.NAMESPACES.stream().flatMap(ns -> kube.client().pods().inNamespace(ns).list()
                            .getItems().stream()).toList(),
                    kube.client().namespaces().list().getItems());
            Map<String, Set<PolicyEndpoint>> expected = new TreeMap<>();
            for (String ns : MatrixCluster.NAMESPACES) {
                for (NetworkPolicy policy : kube.client().network().v1().networkPolicies().inNamespace(ns).list()
                        .getItems()) {
                    if (PolicyResolver.resolve(policy, state) instanceof Resolution.Resolved resolved) {
                        for (ResolvedEndpoint r : resolved.endpoints()) {
                            expected.computeIfAbsent(r.nodeName(), k -> new HashSet<>()).add(r.endpoint());
                        }
                    }
                }
            }
            Map<String, Set<PolicyEndpoint>> actual = new TreeMap<>();
            for (GenericKubernetesResource pe : kube.client().genericKubernetesResources("networking.k8s.aws/v1alpha1",
                    "PolicyEndpoint").inAnyNamespace().list().getItems()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> spec = (Map<String, Object>) pe.getAdditionalProperties().get("spec");
                actual.computeIfAbsent(pe.getMetadata().getLabels().get(PolicyEndpointLabels.NODE_NAME),
                        k -> new HashSet<>()).add(PolicyEndpointCodec.fromSpec(pe.getMetadata().getNamespace(),
                        pe.getMetadata().getName(), spec));
            }
            if (actual.equals(expected)) {
                return actual;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": the PolicyEndpoints are not the resolution of the cluster after "
                        + ENFORCEMENT_BOUND.toSeconds() + " s\nexpected " + expected + "\nactual " + actual + "\n"
                        + kube.kubectl("-n", "kube-system", "logs", "deployment/vpc-cni-policy-controller",
                        "--tail=30").stdout());
            }
            Thread.sleep(100);
        }
    }

    /** Waits until each node's agent has the complete list and enforces as many PolicyEndpoints as it has. */
    private void awaitAgents(Map<String, Set<PolicyEndpoint>> perNode, long deadline, String what) throws Exception {
        for (KubeNode node : kube.nodes()) {
            int want = perNode.getOrDefault(node.name(), Set.of()).size();
            while (true) {
                JsonNode status = agentStatus(node);
                if (status.path("listed").asBoolean() && status.path("endpoints").asInt(-1) == want
                        && status.path("notEnforced").isEmpty()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(what + ": " + node + "'s agent does not enforce its " + want
                            + " PolicyEndpoints after " + ENFORCEMENT_BOUND.toSeconds() + " s: " + status);
                }
                Thread.sleep(100);
            }
        }
    }

    private JsonNode agentStatus(KubeNode node) throws Exception {
        Exec.Result pool = node.simulated().namespace().exec(Map.of(), null, List.of("curl", "-sS", "--max-time",
                "5", "http://127.0.0.1:61679/v1/pool"));
        return pool.ok() ? JSON.readTree(pool.stdout()).path("networkPolicy") : JSON.nullNode();
    }

    private String agentStatuses() throws Exception {
        StringBuilder out = new StringBuilder();
        for (KubeNode node : kube.nodes()) {
            out.append(node).append(": ").append(agentStatus(node)).append('\n');
        }
        return out.toString();
    }

    /**
     * The policy with each ipBlock rewritten for the real addresses: the model's blocks are a /24 per namespace
     * (10.0.1.0/24 for x ...) and hosts in them; the real pods' addresses come from the node's ENIs. A block selects
     * in the model the matrix pods P (in the cidr, in no except); here it becomes the cidr {@code 0.0.0.0/0} when
     * the model's was, otherwise the smallest block holding every real pod, with an except of /32 for each real pod
     * not in P: the same pods selected, an ipBlock with except still.
     */
    private NetworkPolicy translated(NetworkPolicy policy) {
        MatrixCluster model = new MatrixCluster();
        List<NetworkPolicyPeer> peers = new ArrayList<>();
        if (policy.getSpec().getIngress() != null) {
            policy.getSpec().getIngress().forEach(r -> peers.addAll(r.getFrom() == null ? List.of() : r.getFrom()));
        }
        if (policy.getSpec().getEgress() != null) {
            policy.getSpec().getEgress().forEach(r -> peers.addAll(r.getTo() == null ? List.of() : r.getTo()));
        }
        for (NetworkPolicyPeer peer : peers) {
            IPBlock block = peer.getIpBlock();
            if (block == null) {
                continue;
            }
            List<String> except = new ArrayList<>();
            for (String pod : MatrixCluster.PROBED) {
                String modelIp = model.ip(pod);
                boolean selected = inCidr(modelIp, block.getCidr()) && (block.getExcept() == null
                        || block.getExcept().stream().noneMatch(e -> inCidr(modelIp, e)));
                if (!selected) {
                    except.add(ips.get(pod) + "/32");
                }
            }
            block.setCidr(block.getCidr().equals("0.0.0.0/0") ? "0.0.0.0/0" : covering(ips.values()));
            block.setExcept(except.stream().sorted().toList());
        }
        return policy;
    }

    private static boolean inCidr(String ip, String cidr) {
        String[] parts = cidr.split("/");
        int bits = Integer.parseInt(parts[1]);
        long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
        return (v4(ip) & mask) == (v4(parts[0]) & mask);
    }

    private static String covering(Iterable<String> addresses) {
        long first = -1;
        int bits = 32;
        for (String ip : addresses) {
            long v = v4(ip);
            if (first < 0) {
                first = v;
            }
            while (bits > 0 && ((first ^ v) >>> (32 - bits)) != 0) {
                bits--;
            }
        }
        long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
        long network = first & mask;
        return ((network >>> 24) & 255) + "." + ((network >>> 16) & 255) + "." + ((network >>> 8) & 255) + "."
                + (network & 255) + "/" + bits;
    }

    private static long v4(String ip) {
        try {
            byte[] b = InetAddress.getByName(ip).getAddress();
            return ((b[0] & 255L) << 24) | ((b[1] & 255L) << 16) | ((b[2] & 255L) << 8) | (b[3] & 255L);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv4 address: " + ip, e);
        }
    }

    private void awaitPodsRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ips.clear();
            for (String ns : MatrixCluster.NAMESPACES) {
                for (Pod pod : kube.client().pods().inNamespace(ns).list().getItems()) {
                    if (pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
                            && pod.getStatus().getPodIP() != null) {
                        ips.put(ns + "/" + pod.getMetadata().getName(), pod.getStatus().getPodIP());
                    }
                }
            }
            if (ips.size() == MatrixCluster.PROBED.size()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(ips.size() + " of 9 matrix pods Running after " + timeout.toSeconds()
                        + " s:\n" + kube.kubectl("get", "pods", "-A", "-o", "wide").stdout()
                        + kube.kubectl("get", "events", "-A").stdout().lines().skip(0)
                        .collect(Collectors.joining("\n")));
            }
            Thread.sleep(500);
        }
    }
}
