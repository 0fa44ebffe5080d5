package io.vpccni.policy.endpoint;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One PolicyEndpoint object: a NetworkPolicy (or a part of one: the controller may split a large policy over several
 * objects, each with some of the selected pods) resolved to the pods it isolates and the peers they may talk to.
 *
 * @param podSelector          the policy's podSelector as it appears in the API (a LabelSelector's JSON), kept for
 *                             readers; enforcement uses {@code podSelectorEndpoints}
 * @param podIsolation         the directions in which the selected pods are isolated (the policy's policyTypes)
 * @param ingress              who may reach the selected pods; empty with INGRESS isolation means nobody
 * @param egress               whom the selected pods may reach; empty with EGRESS isolation means nobody
 */
public record PolicyEndpoint(
        String namespace,
        String name,
        PolicyRef policyRef,
        Map<String, Object> podSelector,
        List<PodEndpoint> podSelectorEndpoints,
        Set<Direction> podIsolation,
        List<PeerRule> ingress,
        List<PeerRule> egress,
        boolean isGlobal,
        int priority) {

    public static final String GROUP = "networking.k8s.aws";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    public static final String KIND = "PolicyEndpoint";
    public static final String PLURAL = "policyendpoints";

    public PolicyEndpoint {
        podSelector = podSelector == null ? Map.of() : Map.copyOf(podSelector);
        podSelectorEndpoints = List.copyOf(podSelectorEndpoints);
        podIsolation = podIsolation.isEmpty() ? Set.of() : Set.copyOf(podIsolation);
        ingress = List.copyOf(ingress);
        egress = List.copyOf(egress);
    }

    /** A NetworkPolicy's resolution as our controller writes it (not global, priority 0). */
    public PolicyEndpoint(String namespace, String name, PolicyRef policyRef, Map<String, Object> podSelector,
            List<PodEndpoint> podSelectorEndpoints, Set<Direction> podIsolation, List<PeerRule> ingress,
            List<PeerRule> egress) {
        this(namespace, name, policyRef, podSelector, podSelectorEndpoints, podIsolation, ingress, egress, false, 0);
    }
}
