package io.vpccni.policy.agent.model;

import java.util.List;
import java.util.Optional;

/**
 * A local pod isolated in at least one direction. A present direction lists the rule sets ({@link NodeModel#ruleSets})
 * of the PolicyEndpoints that select the pod and isolate it that way: what any of them allows is allowed (an empty
 * list: nothing). An empty direction is open.
 */
public record PodPolicy(LocalPod pod, Optional<List<String>> ingress, Optional<List<String>> egress) {

    public static final Optional<List<String>> DENY = Optional.of(List.of());

    public PodPolicy {
        ingress = ingress.map(List::copyOf);
        egress = egress.map(List::copyOf);
    }

    /** Closed both ways (STRICT's pods without a policy). */
    public static PodPolicy denied(LocalPod pod) {
        return new PodPolicy(pod, DENY, DENY);
    }
}
