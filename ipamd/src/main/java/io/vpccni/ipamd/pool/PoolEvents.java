package io.vpccni.ipamd.pool;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.ipamd.warmpool.PoolAction;
import java.time.Instant;

/**
 * What the maintainer did, for metrics and events; the maintainer itself keeps no counters. Each hook does nothing
 * unless overridden: a listener takes only what it reports.
 */
public interface PoolEvents {

    default void applied(PoolAction action) {}

    default void failed(PoolAction action, Ec2Failure failure) {}

    /** A tick failed, whatever it threw; the loop goes on. */
    default void maintenanceFailed(Throwable error) {}

    /**
     * A grow step of a prefix-delegation node was done with secondary /32s because EC2 had no free /28 (see
     * {@link io.vpccni.ipamd.warmpool.PrefixFallback}); prefixes are asked for again after {@code prefixesRetriedAt}.
     */
    default void fellBackToSecondaryIps(PoolAction grow, Instant prefixesRetriedAt) {}

    /** A new ENI was needed but has no valid place (see {@link EniPlacement.Unavailable}). */
    default void placementUnavailable(String reason) {}

    PoolEvents NONE = new PoolEvents() {};
}
