package io.vpccni.policy.endpoint;

/** A pod a policy selects: where it runs (the node's address) and its address. */
public record PodEndpoint(String hostIp, String podIp, String name, String namespace) {
    public PodEndpoint {
        if (podIp == null || podIp.isBlank()) {
            throw new PolicyEndpointFormatException("podSelectorEndpoints[].podIP is required");
        }
    }
}
