package io.vpccni.ipamd.datastore;

import java.util.List;

/** Outcome of removing an ENI or a CIDR from the pool. */
public sealed interface RemoveResult {

    /** Removed; {@code dropped} lists assignments thrown away by a forced removal (empty otherwise). */
    record Removed(List<Allocation> dropped) implements RemoveResult {
        public Removed {
            dropped = List.copyOf(dropped);
        }
    }

    record NotFound(String what) implements RemoveResult {}

    /** Refused: addresses in it are assigned or cooling, and the removal was not forced. */
    record InUse(int assigned, int cooling) implements RemoveResult {}
}
