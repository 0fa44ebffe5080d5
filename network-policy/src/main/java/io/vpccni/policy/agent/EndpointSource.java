package io.vpccni.policy.agent;

import java.util.Locale;

/**
 * NETWORK_POLICY_ENDPOINT_SOURCE: which PolicyEndpoints the agent watches. NODE_LABEL (default): only those labelled
 * {@code vpc-cni.io/node-name}={@code <this node>}, which our controller writes one per node, so a node
 * never receives the cluster's other objects. ALL: every PolicyEndpoint of the cluster, keeping those with a pod on
 * this node (hostIP): EKS's managed controller writes no node label.
 */
public enum EndpointSource {
    NODE_LABEL, ALL;

    /** @throws IllegalArgumentException for anything but node-label or all */
    public static EndpointSource parse(String value) {
        return switch (value == null ? "" : value.trim().toLowerCase(Locale.ROOT)) {
            case "node-label" -> NODE_LABEL;
            case "all" -> ALL;
            default -> throw new IllegalArgumentException(value + " is not node-label or all");
        };
    }
}
