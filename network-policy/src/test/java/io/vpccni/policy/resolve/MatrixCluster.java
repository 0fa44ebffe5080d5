package io.vpccni.policy.resolve;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vpccni.policy.endpoint.PolicyRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster of Kubernetes' network-policy e2e tests: namespaces x, y, z (label ns=&lt;name&gt;) with pods a, b, c
 * (label pod=&lt;name&gt;) serving TCP 80 and 81 and UDP 80 (container ports serve-80-tcp, serve-81-tcp,
 * serve-80-udp), spread over two nodes (a and c on node-1, b on node-2). Pod addresses are 10.0.&lt;1|2|3&gt;.&lt;10|11|12&gt;
 * (x/b also has fd00::1:11, dual stack). For named ports that differ per pod, x/a and z/a name TCP 80 "web", x/c and
 * z/b name TCP 81 "web". Three pods in x are labelled pod=a but are no endpoints: one without an address yet, one in
 * the host network, one that has finished. The model is mutable: cases change labels and add or delete policies.
 */
public final class MatrixCluster {

    public static final List<String> NAMESPACES = List.of("x", "y", "z");
    public static final List<String> PODS = List.of("a", "b", "c");
    /** The pods the matrix probes, as namespace/name. */
    public static final List<String> PROBED = NAMESPACES.stream().flatMap(n -> PODS.stream().map(p -> n + "/" + p))
            .toList();
    public static final Map<String, String> NODES = Map.of("node-1", "10.0.0.1", "node-2", "10.0.0.2");

    private final Map<String, Namespace> namespaces = new TreeMap<>();
    private final Map<String, Pod> pods = new TreeMap<>();
    private final Map<String, NetworkPolicy> policies = new TreeMap<>();

    public MatrixCluster() {
        for (int n = 0; n < NAMESPACES.size(); n++) {
            String ns = NAMESPACES.get(n);
            namespaces.put(ns, new NamespaceBuilder().withNewMetadata().withName(ns).withLabels(Map.of("ns", ns))
                    .endMetadata().build());
            for (int p = 0; p < PODS.size(); p++) {
                String name = PODS.get(p);
                String node = name.equals("b") ? "node-2" : "node-1";
                List<String> ips = new ArrayList<>(List.of("10.0." + (n + 1) + "." + (10 + p)));
                if (ns.equals("x") && name.equals("b")) {
                    ips.add("fd00::1:11");
                }
                Integer web = switch (ns + "/" + name) {
                    case "x/a", "z/a" -> 80;
                    case "x/c", "z/b" -> 81;
                    default -> null;
                };
                put(pod(ns, name, Map.of("pod", name), node, ips, false, "Running", web));
            }
        }
        put(pod("x", "pending", Map.of("pod", "a"), "node-1", List.of(), false, "Pending", null));
        put(pod("x", "host", Map.of("pod", "a"), "node-1", List.of("10.0.0.1"), true, "Running", null));
        put(pod("x", "done", Map.of("pod", "a"), "node-2", List.of("10.0.1.99"), false, "Succeeded", null));
    }

    static Pod pod(String ns, String name, Map<String, String> labels, String node, List<String> ips,
                   boolean hostNetwork, String phase, Integer web) {
        List<ContainerPort> ports = new ArrayList<>(List.of(
                new ContainerPort(80, null, null, "serve-80-tcp", "TCP"),
                new ContainerPort(81, null, null, "serve-81-tcp", "TCP"),
                new ContainerPort(80, null, null, "serve-80-udp", "UDP")));
        if (web != null) {
            ports.add(new ContainerPort(web, null, null, "web", "TCP"));
        }
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node).withHostNetwork(hostNetwork)
                .addNewContainer().withName("server").withImage("agnhost").withPorts(ports).endContainer().endSpec()
                .withNewStatus().withPhase(phase).withHostIP(NODES.get(node))
                .withPodIP(ips.isEmpty() ? null : ips.getFirst())
                .withPodIPs(ips.stream().map(PodIP::new).toList()).endStatus().build();
    }

    private void put(Pod pod) {
        pods.put(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(), pod);
    }

    public List<Namespace> namespaces() {
        return List.copyOf(namespaces.values());
    }

    public List<Pod> pods() {
        return List.copyOf(pods.values());
    }

    public List<NetworkPolicy> policies() {
        return List.copyOf(policies.values());
    }

    public String ip(String pod) {
        return pods.get(pod).getStatus().getPodIP();
    }

    public ClusterState state() {
        return new ClusterState(pods(), namespaces());
    }

    /** Every policy's resolution against the current state, by policy. */
    public Map<PolicyRef, Resolution> resolveAll() {
        ClusterState state = state();
        Map<PolicyRef, Resolution> out = new LinkedHashMap<>();
        for (NetworkPolicy p : policies.values()) {
            Resolution r = PolicyResolver.resolve(p, state);
            out.put(r.policy(), r);
        }
        return out;
    }

    public void apply(Step step) {
        switch (step) {
            case Step.AddPolicy add -> {
                NetworkPolicy p = add.policy();
                policies.put(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(), p);
            }
            case Step.DeletePolicy del -> policies.remove(del.namespace() + "/" + del.name());
            case Step.LabelPod label -> pods.get(label.pod()).getMetadata().setLabels(Map.copyOf(label.labels()));
            case Step.LabelNamespace label ->
                    namespaces.get(label.namespace()).getMetadata().setLabels(Map.copyOf(label.labels()));
            case Step.Expect e -> { }
        }
    }

    /** One step of a case: a change to the cluster, or the reachability expected at that point. */
    public sealed interface Step {

        record AddPolicy(String yaml) implements Step {
            public NetworkPolicy policy() {
                return Serialization.unmarshal(yaml, NetworkPolicy.class);
            }
        }

        record DeletePolicy(String namespace, String name) implements Step {}

        /** Replaces the labels of the pod (namespace/name). */
        record LabelPod(String pod, Map<String, String> labels) implements Step {}

        record LabelNamespace(String namespace, Map<String, String> labels) implements Step {}

        record Expect(Reach reach) implements Step {}
    }
}
