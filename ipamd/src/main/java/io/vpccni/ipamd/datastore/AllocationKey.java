package io.vpccni.ipamd.datastore;

import java.util.Objects;

/** What identifies one pod attachment, as in aws-vpc-cni's IPAMKey and the CNI spec's (container, ifname). */
public record AllocationKey(String networkName, String containerId, String ifName) {
    public AllocationKey {
        Objects.requireNonNull(networkName, "networkName");
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(ifName, "ifName");
    }
}
