package io.vpccni.ipamd.introspect;

import io.vpccni.ipamd.datastore.PoolStats;
import io.vpccni.ipamd.pool.GrowBlocked;
import java.util.Optional;

/**
 * The /readyz verdict. Ready means a pod added now gets an address, or will once the pool grows as it should:
 * <ul>
 *   <li>not ready while the pool has not been restored from EC2 and the checkpoint ({@link NodeView#ready()});</li>
 *   <li>ready while at least one address is available;</li>
 *   <li>with none available: ready if the pool is growing normally (no grow failure recorded) or is full at the
 *       instance's ENI limit (every ENI attached and full, whether or not a grow attempt has hit the limit yet),
 *       which is capacity, not a fault (kubelet's max-pods keeps pods away); not ready
 *       when growth is blocked by a fault: subnet full, throttling, missing permission, EC2 unavailable.</li>
 * </ul>
 */
public sealed interface Readiness {

    String reason();

    default boolean isReady() {
        return this instanceof Ready;
    }

    String FULL = "no address available and the pool cannot grow: every ENI the instance type allows is attached "
            + "and full; only pod deletions free addresses";

    record Ready(String reason) implements Readiness {}

    record NotReady(String reason) implements Readiness {}

    /** @param atCapacity every ENI the instance may have is attached and full: the pool cannot grow at all */
    static Readiness of(boolean restored, PoolStats pool, Optional<GrowBlocked> growFailure, boolean atCapacity) {
        if (!restored) {
            return new NotReady("the pool has not been restored from EC2 and the checkpoint yet");
        }
        if (pool.available() > 0) {
            return new Ready(pool.available() + " addresses available");
        }
        if (growFailure.isEmpty() && atCapacity) {
            return new Ready(FULL);
        }
        if (growFailure.isEmpty()) {
            return new Ready("no address available; the pool is growing");
        }
        GrowBlocked blocked = growFailure.get();
        if (blocked.kind() == GrowBlocked.Kind.ENI_LIMIT) {
            return new Ready(FULL + " (" + blocked.message() + ")");
        }
        return new NotReady("no address available and the pool cannot grow: " + blocked.kind() + ": "
                + blocked.message());
    }
}
