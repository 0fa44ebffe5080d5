package io.vpccni.ipamd.warmpool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The warm-pool policy: pool state + targets -> what to do this tick. A pure function; the maintainer carries
 * the plan out through EC2 and records the shrink and error times it passes back in the next state.
 *
 * <p>Order of one tick, as aws-vpc-cni (docs/warm-pool.md section 2): if the pool is low, grow once; otherwise,
 * if it is too high and the last shrink is more than 30 s ago, shrink; then, independently of the shrink timer,
 * free at most one ENI. The ENI release is judged on the state as it will be after the shrink.
 *
 * <p>Where we deliberately differ from upstream (tests named for each):
 * <ul>
 *   <li>cooling addresses are not available ({@link PoolCounts#available()}): a pool whose free addresses are all
 *       cooling grows instead of failing pods (E19, issue #2896), and cooling /32s are not released (E21);</li>
 *   <li>no shrink or ENI release may leave the pool "low": no attach/free oscillation at WARM_ENI_TARGET = 0 (E4)
 *       and no prefix flap at WARM_PREFIX_TARGET = 0 (E11);</li>
 *   <li>no ENI is freed in a tick that grows: upstream judges the release on the state after the grow, which EC2 may
 *       yet refuse; ours frees the empty ENI on the next tick (docs/warm-pool.md section 6);</li>
 *   <li>with WARM_POOL_FOR_BOUND_PODS, pods bound to the node and not yet added are demand ({@link PodDemand});</li>
 *   <li>in prefix mode, InsufficientCidrBlocks makes the pool grow with secondary /32s for a while instead of
 *       failing pods ({@link PrefixFallback}; upstream issues 2749 and 3105).</li>
 * </ul>
 */
public final class PoolPolicy {

    public PoolPlan evaluate(PoolState state, PoolTargets targets) {
        return evaluate(state, targets, PodDemand.NONE);
    }

    /**
     * The tick with pods bound and not yet added counted as demand (WARM_POOL_FOR_BOUND_PODS): the pods {@code demand}
     * counts are taken as added, so the pool grows for them and keeps the static targets on top; and while any such
     * pod is there, nothing is shrunk or freed, since those pods are about to take addresses.
     */
    public PoolPlan evaluate(PoolState state, PoolTargets targets, PodDemand demand) {
        PoolCounts counts = PoolCounts.of(state.enis()).withPending(demand.counted());
        List<PoolAction> actions = new ArrayList<>();
        String idleReason;
        PoolState afterResize = state;
        boolean low = PoolMath.isLow(counts, targets, state.limits());
        int excess = PoolMath.excessUnits(counts, targets);
        int spareIps = PrefixFallback.releasableIps(state, targets);
        String over = spareIps == 0 ? Integer.toString(excess)
                : excess + " prefixes and " + spareIps + " secondary IPs (left by the prefix fallback)";
        if (low) {
            PoolAction grow = growBlocked(state, targets)
                    .<PoolAction>map(PoolAction.Hold::new)
                    .orElseGet(() -> GrowPlanner.plan(state, targets, counts));
            idleReason = grow instanceof PoolAction.Hold(String reason) ? reason : "";
            if (!(grow instanceof PoolAction.Hold)) {
                actions.add(grow);
            }
        } else if ((excess > 0 || spareIps > 0) && demand.pods() > 0) {
            idleReason = "pool is above target by " + over + " but " + demand.pods()
                    + " pods bound to the node are about to take addresses";
        } else if ((excess > 0 || spareIps > 0) && !shrinkDue(state, targets)) {
            idleReason = "pool is above target by " + over + " but the last shrink was less than "
                    + targets.timings().shrinkInterval().toSeconds() + " s ago";
        } else if (excess > 0 || spareIps > 0) {
            ShrinkPlanner.Result shrink = ShrinkPlanner.plan(state, targets, excess);
            actions.addAll(shrink.actions());
            afterResize = shrink.projected();
            idleReason = "pool is above target by " + over + " but nothing can be released without making it low";
        } else {
            idleReason = "pool is within targets";
        }
        if (!low && demand.pods() == 0 && freeAllowed(state, targets)) {
            EniReleasePlanner.plan(afterResize, targets).ifPresent(actions::add);
        }
        if (actions.isEmpty()) {
            actions.add(new PoolAction.Hold(idleReason));
        }
        return new PoolPlan(actions, counts);
    }

    /**
     * docs/warm-pool.md section 5: terminating, unschedulable (unless managed anyway), or a recent "subnet is full"
     * from EC2 (InsufficientFreeAddressesInSubnet; InsufficientCidrBlocks leads to the {@link PrefixFallback}
     * instead).
     */
    static Optional<String> growBlocked(PoolState state, PoolTargets targets) {
        if (state.conditions().contains(NodeCondition.TERMINATING)) {
            return Optional.of("pool is low but the node is terminating");
        }
        if (state.conditions().contains(NodeCondition.UNSCHEDULABLE) && !targets.manageEnisNonSchedulable()) {
            return Optional.of("pool is low but the node is unschedulable (AWS_MANAGE_ENIS_NON_SCHEDULABLE=false)");
        }
        Duration backoff = targets.timings().insufficientAddressBackoff();
        boolean recentError = state.lastInsufficientAddressError()
                .filter(at -> Duration.between(at, state.now()).compareTo(backoff) <= 0)
                .isPresent();
        if (recentError) {
            return Optional.of("pool is low but the subnet reported insufficient addresses less than "
                    + backoff.toSeconds() + " s ago");
        }
        return Optional.empty();
    }

    private static boolean freeAllowed(PoolState state, PoolTargets targets) {
        return !state.conditions().contains(NodeCondition.TERMINATING)
                && (!state.conditions().contains(NodeCondition.UNSCHEDULABLE) || targets.manageEnisNonSchedulable());
    }

    private static boolean shrinkDue(PoolState state, PoolTargets targets) {
        return state.lastShrink()
                .map(at -> Duration.between(at, state.now()).compareTo(targets.timings().shrinkInterval()) > 0)
                .orElse(true);
    }
}
