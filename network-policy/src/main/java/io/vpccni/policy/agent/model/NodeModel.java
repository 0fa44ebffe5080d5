package io.vpccni.policy.agent.model;

import io.vpccni.policy.endpoint.PolicyRef;
import java.util.List;
import java.util.Set;

/**
 * What the node enforces: the local pods isolated in some direction (in address order), and for the status command
 * and the metrics the policies and PolicyEndpoints that select local pods, and the PolicyEndpoints skipped.
 */
public record NodeModel(List<PodPolicy> pods, Set<PolicyRef> policies, int endpoints, List<Rejection> rejected) {

    public static final NodeModel EMPTY = new NodeModel(List.of(), Set.of(), 0, List.of());

    public NodeModel {
        pods = List.copyOf(pods);
        policies = Set.copyOf(policies);
        rejected = List.copyOf(rejected);
    }
}
