package io.vpccni.ipamd.datastore;

import io.vpccni.netlink.ip.Ipv4Address;
import java.time.Instant;
import java.util.Objects;

/** One assignment as exported to (and imported from) the checkpoint. */
public record Allocation(AllocationKey key, PodRef pod, Ipv4Address ip, Instant assignedAt) {
    public Allocation {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(assignedAt, "assignedAt");
    }
}
