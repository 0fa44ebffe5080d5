package io.vpccni.ipamd.datastore;

import java.util.List;

/** Everything the checkpoint must keep: live assignments and addresses still cooling. */
public record DatastoreSnapshot(List<Allocation> allocations, List<CoolingAddress> cooling) {
    public DatastoreSnapshot {
        allocations = List.copyOf(allocations);
        cooling = List.copyOf(cooling);
    }
}
