package io.vpccni.policy.controller;

import java.util.List;

/**
 * Every API call the controller makes, as RBAC rules; the deploy module's tests check that its ClusterRole and Role
 * grant exactly these. Keep them in step with the code (each call site names its rule in a comment).
 */
public final class ControllerPermissions {

    public record Rule(String apiGroup, String resource, List<String> verbs) {
        public Rule {
            verbs = List.copyOf(verbs);
        }
    }

    /** Cluster-wide: what it reads everywhere, the PolicyEndpoints and events it writes in the policies' namespaces. */
    public static final List<Rule> CLUSTER = List.of(
            new Rule("networking.k8s.io", "networkpolicies", List.of("list", "watch")),
            new Rule("", "pods", List.of("list", "watch")),
            new Rule("", "namespaces", List.of("list", "watch")),
            new Rule("networking.k8s.aws", "policyendpoints", List.of("list", "watch", "create", "update", "delete")),
            new Rule("", "events", List.of("create")));

    /** In its own namespace only: the leader-election lease. */
    public static final List<Rule> OWN_NAMESPACE = List.of(
            new Rule("coordination.k8s.io", "leases", List.of("get", "create", "patch")));

    private ControllerPermissions() {}
}
