package io.vpccni.ipamd.checkpoint;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One assignment: aws-vpc-cni's CheckpointEntry (IPAMKey, ipv4 | ipv6, allocationTimestamp, metadata) plus
 * optional fields of ours that the Go reader ignores.
 *
 * <p>The key (networkName, containerId, ifName) is the CNI spec's primary key for plugin state. Upstream
 * writes exactly one of ipv4/ipv6; neither is required here because aws-vpc-cni itself accepts such an entry
 * (and presumes it stale), and adopting its file must not fail where it would not.
 *
 * @param allocationTimestampNanos unix time in nanoseconds (Go's {@code time.UnixNano()}); 0 when unknown,
 *        which is what upstream writes back for entries migrated from the CRI
 * @param podUid       our extra: the pod's Kubernetes uid, when the runtime passed it
 * @param eniId        our extra: the ENI holding the address
 * @param deviceNumber our extra: that ENI's device index (0 = primary), which gives the route table
 */
public record CheckpointEntry(
        String networkName,
        String containerId,
        String ifName,
        Optional<String> ipv4,
        Optional<String> ipv6,
        long allocationTimestampNanos,
        PodMetadata metadata,
        Optional<String> podUid,
        Optional<String> eniId,
        OptionalInt deviceNumber) {

    /** The placeholder network name aws-vpc-cni gave to pods it found through the CRI (v1.7). */
    public static final String MIGRATED_FROM_CRI_NETWORK = "_migrated-from-cri";
    /** The placeholder interface name of those entries. */
    public static final String MIGRATED_FROM_CRI_IFNAME = "unknown";

    public CheckpointEntry {
        Objects.requireNonNull(networkName, "networkName");
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(ifName, "ifName");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(deviceNumber, "deviceNumber");
        // "" is how Go spells "absent" (omitempty), so it must not survive as a present-but-empty value.
        ipv4 = nonEmpty(ipv4, "ipv4");
        ipv6 = nonEmpty(ipv6, "ipv6");
        podUid = nonEmpty(podUid, "podUid");
        eniId = nonEmpty(eniId, "eniId");
        if (deviceNumber.isPresent() && deviceNumber.getAsInt() < 0) {
            throw new IllegalArgumentException("deviceNumber must not be negative: " + deviceNumber);
        }
    }

    /** An IPv4 assignment as aws-vpc-cni would record it, without our extras. */
    public static CheckpointEntry ipv4(
            String networkName, String containerId, String ifName, String ipv4,
            long allocationTimestampNanos, PodMetadata metadata) {
        return new CheckpointEntry(networkName, containerId, ifName, Optional.of(ipv4), Optional.empty(),
                allocationTimestampNanos, metadata, Optional.empty(), Optional.empty(), OptionalInt.empty());
    }

    /** An IPv6 assignment as aws-vpc-cni would record it, without our extras. */
    public static CheckpointEntry ipv6(
            String networkName, String containerId, String ifName, String ipv6,
            long allocationTimestampNanos, PodMetadata metadata) {
        return new CheckpointEntry(networkName, containerId, ifName, Optional.empty(), Optional.of(ipv6),
                allocationTimestampNanos, metadata, Optional.empty(), Optional.empty(), OptionalInt.empty());
    }

    /** This entry with the ENI that holds the address. */
    public CheckpointEntry withEni(String eniId, int deviceNumber) {
        return new CheckpointEntry(networkName, containerId, ifName, ipv4, ipv6, allocationTimestampNanos,
                metadata, podUid, Optional.of(eniId), OptionalInt.of(deviceNumber));
    }

    /** This entry with the pod's uid. */
    public CheckpointEntry withPodUid(String podUid) {
        return new CheckpointEntry(networkName, containerId, ifName, ipv4, ipv6, allocationTimestampNanos,
                metadata, Optional.of(podUid), eniId, deviceNumber);
    }

    /** True for entries aws-vpc-cni v1.7 backfilled from the CRI; upstream matches them on DEL by container id. */
    public boolean migratedFromCri() {
        return MIGRATED_FROM_CRI_NETWORK.equals(networkName) && MIGRATED_FROM_CRI_IFNAME.equals(ifName);
    }

    static Optional<String> nonEmpty(Optional<String> value, String name) {
        return Objects.requireNonNull(value, name).filter(s -> !s.isEmpty());
    }
}
