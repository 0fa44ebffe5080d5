package io.vpccni.policy.agent.k8s;

import java.util.List;
import java.util.Set;

/**
 * Every Kubernetes API call the node agent makes, as RBAC rules for the node's ClusterRole (ipamd's, beside
 * {@code io.vpccni.ipamd.k8s.RequiredPermissions}) when network policy is enabled. {@code AgentPermissionsTest}
 * drives the watcher against the mock API server and checks that its requests are exactly these.
 */
public final class AgentPermissions {

    /** One RBAC rule; the core group is "". */
    public record Rule(String apiGroup, String resource, Set<String> verbs) {
        public Rule {
            verbs = Set.copyOf(verbs);
        }
    }

    private AgentPermissions() {}

    public static final List<Rule> RULES = List.of(
            // the informer of PolicyEndpoints (this node's label, or all of them)
            new Rule("networking.k8s.aws", "policyendpoints", Set.of("list", "watch")),
            // an event naming a PolicyEndpoint that cannot be enforced
            new Rule("", "events", Set.of("create")));
}
