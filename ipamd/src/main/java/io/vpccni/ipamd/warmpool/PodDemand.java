package io.vpccni.ipamd.warmpool;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Pods bound to the node whose CNI ADD has not come yet, as demand the pool starts meeting before kubelet asks
 * (WARM_POOL_FOR_BOUND_PODS; docs/warm-pool.md section 11). On a fresh node the scheduler binds its pods seconds
 * before the sandboxes exist: growing for them then, instead of on the first ADD that finds the pool empty, is
 * what lets the static warm targets, held on every node for bursts that may never come, be lowered.
 *
 * <p>{@link #of} decides how many of those pods the policy counts as if they were already added: those the free
 * addresses cover, plus {@code growFor} more addresses, bounded by what the node can still hold (its ENI limit and
 * each ENI's slots, kubelet's max-pods) and by the subnet's free addresses. The policy then applies the
 * static targets on top ({@link PoolPolicy#evaluate(PoolState, PoolTargets, PodDemand)}).
 *
 * @param pods      pods bound to the node and not yet added
 * @param growFor   addresses to grow beyond the free ones for those pods, after the bounds
 * @param counted   pods the policy counts as added: {@code min(pods, free + growFor)}
 * @param limitedBy why {@code growFor} is less than the pods lack; empty when it is not
 */
public record PodDemand(int pods, int growFor, int counted, Optional<String> limitedBy) {

    /** No pod waiting for its ADD, or the feature off: the policy is the static one. */
    public static final PodDemand NONE = new PodDemand(0, 0, 0, Optional.empty());

    public PodDemand {
        if (pods < 0 || growFor < 0 || counted < 0 || counted > pods) {
            throw new IllegalArgumentException("a demand needs 0 <= counted <= pods and growFor >= 0, not pods "
                    + pods + ", growFor " + growFor + ", counted " + counted);
        }
    }

    /**
     * @param boundNotAdded pods bound to the node whose ADD has not come
     * @param subnetFree    free addresses of the subnet new ENIs and addresses come from, when known
     */
    public static PodDemand of(PoolState state, PoolTargets targets, int boundNotAdded, OptionalInt subnetFree) {
        if (boundNotAdded < 0) {
            throw new IllegalArgumentException("pods bound and not added cannot be negative: " + boundNotAdded);
        }
        if (subnetFree.isPresent() && subnetFree.getAsInt() < 0) {
            throw new IllegalArgumentException("a subnet's free addresses cannot be negative: " + subnetFree);
        }
        if (boundNotAdded == 0) {
            return NONE;
        }
        PoolCounts counts = PoolCounts.of(state.enis());
        int free = Math.max(0, counts.available());
        int lacking = Math.max(0, boundNotAdded - free);
        int growFor = lacking;
        Optional<String> limitedBy = Optional.empty();
        int room = roomOnNode(state, targets);
        if (room < growFor) {
            growFor = room;
            limitedBy = Optional.of("the node's ENI and address limits leave room for " + room + " more addresses");
        }
        int underMaxPods = Math.max(0, state.limits().maxPods() - counts.total());
        if (underMaxPods < growFor) {
            growFor = underMaxPods;
            limitedBy = Optional.of("max-pods (" + state.limits().maxPods() + ") is " + underMaxPods
                    + " addresses away");
        }
        if (subnetFree.isPresent() && subnetFree.getAsInt() < growFor) {
            growFor = subnetFree.getAsInt();
            limitedBy = Optional.of("the subnet has " + growFor + " free addresses");
        }
        return new PodDemand(boundNotAdded, growFor, Math.min(boundNotAdded, free + growFor), limitedBy);
    }

    /**
     * Addresses the node can still gain: the free slots of the ENIs that carry pods and the ENIs it may still
     * attach, each slot one address, or 16 in prefix mode (a fallback to /32s grows one address a slot).
     */
    static int roomOnNode(PoolState state, PoolTargets targets) {
        int perEni = state.limits().unitsPerEni();
        int perSlot = PoolMode.of(targets).prefixes() && !PrefixFallback.active(state, targets)
                ? PoolMath.PREFIX_SIZE : 1;
        int slots = 0;
        for (EniState eni : state.enis()) {
            if (GrowPlanner.takesAddresses(eni, targets)) {
                slots += Math.max(0, perEni - eni.slots());
            }
        }
        int newEnis = Math.max(0, state.limits().eniLimit(targets.maxEni()) - state.enis().size());
        return (slots + newEnis * perEni) * perSlot;
    }
}
