package io.vpccni.policy.resolve;

import io.vpccni.policy.endpoint.PolicyRef;
import java.util.List;

/** What a NetworkPolicy resolves to: its PolicyEndpoints, or why it cannot be resolved. */
public sealed interface Resolution {

    PolicyRef policy();

    /**
     * The PolicyEndpoints the policy needs, by name; empty when it selects no pod on any node. Names are unique and
     * stable: the same cluster state gives the same objects in the same order.
     */
    record Resolved(PolicyRef policy, List<ResolvedEndpoint> endpoints) implements Resolution {
        public Resolved {
            endpoints = List.copyOf(endpoints);
        }
    }

    /**
     * The policy is not one the API server would accept, or names what cannot be enforced (an unknown protocol, a
     * malformed CIDR, endPort with a named port...). The controller reports it and leaves the policy's objects as they
     * are.
     */
    record Unresolvable(PolicyRef policy, String reason) implements Resolution {}
}
