package io.vpccni.policy.resolve;

import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpointLabels;
import java.util.Map;

/** One PolicyEndpoint to write, with the node whose pods it lists (its {@code vpc-cni.io/node-name} label). */
public record ResolvedEndpoint(String nodeName, PolicyEndpoint endpoint) {

    /** The labels the object carries: its node and its policy, each as a valid label value. */
    public Map<String, String> labels() {
        return Map.of(PolicyEndpointLabels.NODE_NAME, PolicyEndpointLabels.value(nodeName),
                PolicyEndpointLabels.POLICY_NAME, PolicyEndpointLabels.value(endpoint.policyRef().name()));
    }
}
