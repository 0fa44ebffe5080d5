package io.vpccni.ipamd.checkpoint;

import java.util.List;
import java.util.Objects;

/**
 * Everything ipamd must remember across a restart: the live assignments, the released addresses still
 * cooling down, and the pool's ENIs with their addresses.
 *
 * <p>On disk this is aws-vpc-cni's {@code /var/run/aws-node/ipam.json} (format {@value #CURRENT_VERSION}), so a
 * node can move between aws-node and us without restarting pods. {@code cooldowns} and {@code enis} are our
 * additions: top-level keys the Go reader ignores (aws-vpc-cni keeps cooldown only in memory and learns its ENIs
 * from EC2 at every start); a file without them, aws-node's, reads as having none.
 */
public record Checkpoint(String version, List<CheckpointEntry> allocations, List<CooldownEntry> cooldowns,
                         List<PooledEni> enis) {

    /** The only format aws-vpc-cni v1.7 to v1.23 reads or writes; it refuses any other value. */
    public static final String CURRENT_VERSION = "vpc-cni-ipam/1";

    public Checkpoint {
        Objects.requireNonNull(version, "version");
        allocations = List.copyOf(allocations);
        cooldowns = List.copyOf(cooldowns);
        enis = List.copyOf(enis);
    }

    /** A checkpoint that records no pool, as aws-node writes them. */
    public Checkpoint(String version, List<CheckpointEntry> allocations, List<CooldownEntry> cooldowns) {
        this(version, allocations, cooldowns, List.of());
    }

    /** A checkpoint in the current format that records no pool. */
    public Checkpoint(List<CheckpointEntry> allocations, List<CooldownEntry> cooldowns) {
        this(CURRENT_VERSION, allocations, cooldowns);
    }

    /** The state of a node with no pods and nothing cooling. */
    public static Checkpoint empty() {
        return new Checkpoint(List.of(), List.of());
    }
}
