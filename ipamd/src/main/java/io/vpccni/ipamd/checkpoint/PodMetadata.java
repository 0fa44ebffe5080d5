package io.vpccni.ipamd.checkpoint;

import java.util.Objects;

/**
 * aws-vpc-cni's IPAMMetadata. Every field is {@code omitempty} upstream, so "" and 0 mean "not recorded":
 * entries restored from the CRI era (networkName {@code _migrated-from-cri}) carry none of them, and
 * interfacesCount appeared only with multi-NIC support. Upstream reads a missing count as 1 on release.
 */
public record PodMetadata(String k8sPodNamespace, String k8sPodName, int interfacesCount) {

    public static final PodMetadata EMPTY = new PodMetadata("", "", 0);

    public PodMetadata {
        k8sPodNamespace = Objects.requireNonNullElse(k8sPodNamespace, "");
        k8sPodName = Objects.requireNonNullElse(k8sPodName, "");
        if (interfacesCount < 0) {
            throw new IllegalArgumentException("interfacesCount must not be negative: " + interfacesCount);
        }
    }

    /** A single-interface pod, which is what every pod of ours is. */
    public static PodMetadata of(String namespace, String name) {
        return new PodMetadata(namespace, name, 1);
    }
}
