package io.vpccni.policy.resolve;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pods and namespaces a resolution reads, as one consistent snapshot (the controller's informer caches at the
 * start of a reconcile). Only pods that can be endpoints are kept: scheduled, with an address, not in the host's
 * network (their address is the node's, which a policy does not govern) and not finished (Succeeded or Failed: their
 * address may already be another pod's).
 */
public final class ClusterState {

    /** The label the API server puts on every namespace (1.21 and later); added here when a snapshot lacks it. */
    static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

    private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    private final Map<String, List<Pod>> podsByNamespace = new HashMap<>();
    private final List<Pod> pods = new ArrayList<>();

    public ClusterState(List<Pod> pods, List<Namespace> namespaces) {
        for (Namespace ns : namespaces) {
            String name = ns.getMetadata().getName();
            Map<String, String> labels = new HashMap<>();
            if (ns.getMetadata().getLabels() != null) {
                labels.putAll(ns.getMetadata().getLabels());
            }
            labels.putIfAbsent(NAMESPACE_NAME_LABEL, name);
            namespaceLabels.put(name, Map.copyOf(labels));
        }
        pods.stream().filter(ClusterState::isEndpoint)
                .sorted(Comparator.comparing((Pod p) -> p.getMetadata().getNamespace())
                        .thenComparing(p -> p.getMetadata().getName()))
                .forEach(p -> {
                    this.pods.add(p);
                    podsByNamespace.computeIfAbsent(p.getMetadata().getNamespace(), k -> new ArrayList<>()).add(p);
                });
    }

    static boolean isEndpoint(Pod pod) {
        var spec = pod.getSpec();
        var status = pod.getStatus();
        if (spec == null || status == null || spec.getNodeName() == null || spec.getNodeName().isBlank()) {
            return false;
        }
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            return false;
        }
        String phase = status.getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return false;
        }
        return !ips(pod).isEmpty();
    }

    /** The pod's addresses: status.podIPs (dual stack), else status.podIP. */
    static List<String> ips(Pod pod) {
        var status = pod.getStatus();
        List<String> out = new ArrayList<>();
        if (status.getPodIPs() != null) {
            status.getPodIPs().forEach(ip -> {
                if (ip.getIp() != null && !ip.getIp().isBlank() && !out.contains(ip.getIp())) {
                    out.add(ip.getIp());
                }
            });
        }
        if (out.isEmpty() && status.getPodIP() != null && !status.getPodIP().isBlank()) {
            out.add(status.getPodIP());
        }
        return out;
    }

    /** Endpoint pods in {@code namespace}, by name. */
    List<Pod> podsIn(String namespace) {
        return podsByNamespace.getOrDefault(namespace, List.of());
    }

    /** Every endpoint pod, by namespace and name. */
    List<Pod> pods() {
        return pods;
    }

    /** Names of the namespaces known to the snapshot, with their labels. */
    Map<String, Map<String, String>> namespaces() {
        return namespaceLabels;
    }
}
