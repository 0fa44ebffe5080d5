package io.vpccni.ipamd.warmpool;

import java.time.Instant;
import java.util.Optional;

/**
 * Prefix delegation in a fragmented subnet. EC2 answers InsufficientCidrBlocks when no aligned /28 is free even
 * though single addresses are; aws-vpc-cni then fails pods until a /28 frees up (its issues 2749 and 3105). We
 * grow with secondary /32s instead, as Cilium does, for {@link PoolTimings#insufficientAddressBackoff()} after the
 * last InsufficientCidrBlocks; after that a grow step asks for prefixes again, and falls back again if EC2 still
 * refuses. InsufficientFreeAddressesInSubnet (no address at all) still pauses growth, in either kind.
 *
 * <p>The targets keep their meaning in addresses: a /32 is one address, a /28 sixteen, so a fallback grow asks
 * for as many /32s as the pool is short of addresses. Each /32, like each /28, takes one slot of the ENI's limit
 * ({@link EniState#slots()}). /32s go back as in secondary-IP mode: unused (no pod, cooldown over) and no more than
 * leaves the pool not low; prefixes go back as before, only when empty.
 */
public final class PrefixFallback {

    private PrefixFallback() {}

    /** Whether growth uses /32s now: prefix delegation, and InsufficientCidrBlocks within the back-off. */
    public static boolean active(PoolState state, PoolTargets targets) {
        return until(state.lastInsufficientCidrBlocks(), targets, state.now()).isPresent();
    }

    /**
     * When prefix growth is tried again: the last InsufficientCidrBlocks plus the back-off, if that is still ahead
     * of {@code now} in prefix mode; empty when there is no fallback now.
     */
    public static Optional<Instant> until(Optional<Instant> lastInsufficientCidrBlocks, PoolTargets targets,
                                          Instant now) {
        if (!PoolMode.of(targets).prefixes()) {
            return Optional.empty();
        }
        return lastInsufficientCidrBlocks.map(at -> at.plus(targets.timings().insufficientAddressBackoff()))
                .filter(retry -> !now.isAfter(retry));
    }

    /**
     * How many /32s one fallback grow step asks for, before capping by an ENI's free slots: the addresses the pool
     * is short of its target (at least 1, since it is low), and never past max pods.
     */
    static int ipsWanted(PoolCounts c, PoolTargets t, NodeLimits limits) {
        int shortfall = switch (PoolMode.of(t)) {
            case WARM_PREFIX -> PoolMath.PREFIX_SIZE * t.warmPrefixTarget() - c.available();
            case PREFIX_IP_TARGETS -> PoolMath.shortIps(c, t);
            case WARM_ENI, IP_TARGETS -> throw new IllegalArgumentException("no prefix fallback in secondary-IP mode");
        };
        return Math.max(1, Math.min(shortfall, limits.maxPods() - c.total()));
    }

    /** Unused secondary /32s on pod ENIs of a prefix-delegation node: the ones a shrink could give back. */
    static int unusedIps(PoolState state, PoolTargets targets) {
        if (!PoolMode.of(targets).prefixes()) {
            return 0;
        }
        return (int) state.enis().stream().filter(EniState::carriesPods).flatMap(e -> e.cidrs().stream())
                .filter(c -> !c.isPrefix() && c.isUnused()).count();
    }

    /**
     * How many unused /32s of a prefix-delegation node can go back to EC2 without making the pool low. Each one
     * takes one address off both the total and the available count, so the first count that leaves the pool low
     * bounds the answer.
     */
    static int releasableIps(PoolState state, PoolTargets targets) {
        int unused = unusedIps(state, targets);
        PoolCounts c = PoolCounts.of(state.enis());
        int releasable = 0;
        while (releasable < unused && !PoolMath.isLow(new PoolCounts(c.total() - releasable - 1, c.assigned(),
                c.cooling(), c.prefixes(), c.unusedPrefixes()), targets, state.limits())) {
            releasable++;
        }
        return releasable;
    }
}
