package io.vpccni.ipamd.k8s;

import io.vpccni.ipamd.datastore.Allocation;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pods bound to this node whose CNI ADD has not come: the demand WARM_POOL_FOR_BOUND_PODS grows the pool for. Pure.
 *
 * <p>Counted: pods on the pod network, not finished, with no address in the datastore (matched by namespace and
 * name, and uid when both sides know it: a StatefulSet's pod recreated under its old name is a new pod), bound
 * less than {@link #WINDOW} ago. A pod bound longer ago and still without an address is held by something other
 * than the network (its sandbox fails, its runtime is stuck); counting it for ever would hold an address idle.
 */
final class PodsAwaitingAdd {

    /** Longer than a fresh node's start (Karpenter binds before ipamd is up), shorter than a leak worth noticing. */
    static final Duration WINDOW = Duration.ofMinutes(5);

    private PodsAwaitingAdd() {}

    static int count(List<PodInfo> pods, List<Allocation> allocations, Instant now, Duration window) {
        Map<String, String> added = new HashMap<>();
        for (Allocation allocation : allocations) {
            added.put(allocation.pod().namespace() + "/" + allocation.pod().name(), allocation.pod().uid());
        }
        int count = 0;
        for (PodInfo pod : pods) {
            if (pod.hostNetwork() || pod.finished()
                    || pod.boundAt().filter(at -> Duration.between(at, now).compareTo(window) > 0).isPresent()) {
                continue;
            }
            String uid = added.get(pod.namespace() + "/" + pod.name());
            boolean hasAddress = uid != null && (uid.isEmpty() || pod.uid().isEmpty() || uid.equals(pod.uid()));
            if (!hasAddress) {
                count++;
            }
        }
        return count;
    }
}
