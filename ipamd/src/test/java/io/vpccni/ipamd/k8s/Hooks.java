package io.vpccni.ipamd.k8s;

import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.AllocationKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A daemon stand-in for the link: assignments in a list, veths in a set, a flag for "full at the ENI limit". */
final class Hooks {

    final List<Allocation> allocations = new java.util.concurrent.CopyOnWriteArrayList<>();
    final Set<String> veths = ConcurrentHashMap.newKeySet();
    final List<AllocationKey> released = new ArrayList<>();
    volatile boolean full;

    ClusterLink.DaemonHooks hooks() {
        return new ClusterLink.DaemonHooks(() -> List.copyOf(allocations), this::release,
                a -> veths.contains(a.pod().namespace() + "/" + a.pod().name()), () -> full);
    }

    private synchronized boolean release(AllocationKey key) {
        boolean removed = allocations.removeIf(a -> a.key().equals(key));
        if (removed) {
            released.add(key);
        }
        return removed;
    }

    static ClusterLink.DaemonHooks none() {
        return new Hooks().hooks();
    }
}
