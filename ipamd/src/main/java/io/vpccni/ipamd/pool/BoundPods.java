package io.vpccni.ipamd.pool;

import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * What the pool maintainer learns of pods coming (WARM_POOL_FOR_BOUND_PODS), read at each tick: pods bound to the
 * node whose ADD has not come, and the free addresses of the subnet new addresses come from, when known. The
 * policy's {@code PodDemand} turns them into growth.
 */
public record BoundPods(int notAdded, OptionalInt subnetFree) {

    /** The feature off, or no cluster: no pod is ever seen coming. */
    public static final Supplier<BoundPods> NONE = () -> new BoundPods(0, OptionalInt.empty());

    public BoundPods {
        if (notAdded < 0) {
            throw new IllegalArgumentException("pods bound and not added cannot be negative: " + notAdded);
        }
    }
}
