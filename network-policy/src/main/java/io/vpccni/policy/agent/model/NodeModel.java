package io.vpccni.policy.agent.model;

import io.vpccni.policy.endpoint.PolicyRef;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the node enforces: the local pods isolated in some direction (in address order), the rule sets they refer to
 * (one per PolicyEndpoint and direction: what that PolicyEndpoint allows there, normalised), and for the status
 * command and the metrics the policies and PolicyEndpoints that select local pods, and the PolicyEndpoints skipped.
 *
 * <p>Rule sets are per PolicyEndpoint, not per pod, so the table grows with the sum of the PolicyEndpoints' sizes, not
 * with pods times peers: 250 pods each selected by 4 policies of 50 peers would otherwise be 50,000 elements.
 */
public record NodeModel(List<PodPolicy> pods, Map<String, Allowed> ruleSets, Set<PolicyRef> policies, int endpoints,
                        List<Rejection> rejected) {

    public static final NodeModel EMPTY = new NodeModel(List.of(), Map.of(), Set.of(), 0, List.of());

    public NodeModel {
        pods = List.copyOf(pods);
        ruleSets = Map.copyOf(ruleSets);
        policies = Set.copyOf(policies);
        rejected = List.copyOf(rejected);
    }
}
