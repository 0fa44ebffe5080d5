package io.vpccni.ipamd.datastore;

import java.util.List;

/**
 * What {@link Datastore#restore} did. Allocations are rejected when their address belongs to no known CIDR
 * (the ENI or prefix is gone) or was already claimed by another key in the same snapshot; the caller decides
 * whether to tear those pods' networking down.
 */
public record RestoreReport(List<Allocation> restored, List<Allocation> rejected, int coolingRestored) {
    public RestoreReport {
        restored = List.copyOf(restored);
        rejected = List.copyOf(rejected);
    }
}
