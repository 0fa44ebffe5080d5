package io.vpccni.ipamd.datastore;

import io.vpccni.netlink.ip.Ipv4Address;

/** Outcome of {@link Datastore#assign}. */
public sealed interface AssignResult {

    /** The key holds {@code ip}; {@code existing} is true when the key already had it (an idempotent retry). */
    record Assigned(Ipv4Address ip, String eniId, int deviceIndex, boolean existing) implements AssignResult {}

    /** Nothing assignable right now; the stats say why (empty pool, or everything assigned or cooling). */
    record NoFreeAddress(PoolStats stats) implements AssignResult {
        public String reason() {
            if (stats.total() == 0) {
                return "the pool has no addresses yet";
            }
            return "all " + stats.total() + " addresses are in use: " + stats.assigned() + " assigned, "
                    + stats.cooling() + " in cooldown after a pod delete";
        }
    }
}
