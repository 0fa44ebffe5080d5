package io.vpccni.ipamd.pool;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.ipamd.warmpool.PoolAction;

/** What the maintainer did, for metrics and events; the maintainer itself keeps no counters. */
public interface PoolEvents {

    void applied(PoolAction action);

    void failed(PoolAction action, Ec2Failure failure);

    void maintenanceFailed(Throwable error);

    /** A new ENI was needed but has no valid place (see {@link EniPlacement.Unavailable}). */
    default void placementUnavailable(String reason) {}

    PoolEvents NONE = new PoolEvents() {
        @Override
        public void applied(PoolAction action) {}

        @Override
        public void failed(PoolAction action, Ec2Failure failure) {}

        @Override
        public void maintenanceFailed(Throwable error) {}
    };
}
