package io.vpccni.policy.endpoint;

/** The NetworkPolicy a PolicyEndpoint was resolved from. */
public record PolicyRef(String namespace, String name) {
    public PolicyRef {
        if (name == null || name.isBlank() || namespace == null || namespace.isBlank()) {
            throw new PolicyEndpointFormatException("policyRef needs name and namespace");
        }
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
