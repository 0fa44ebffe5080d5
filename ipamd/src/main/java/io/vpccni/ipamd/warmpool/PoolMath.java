package io.vpccni.ipamd.warmpool;

/**
 * The formulas of docs/warm-pool.md section 3, as pure integer functions.
 * Every "available" here is {@link PoolCounts#available()}, which leaves cooling addresses out.
 */
public final class PoolMath {

    public static final int PREFIX_SIZE = 16;

    private PoolMath() {}

    /** {@code short = max(0, WIP - F, MIN - T)}, in addresses (3.2). */
    public static int shortIps(PoolCounts c, PoolTargets t) {
        return Math.max(0, Math.max(t.warmIpTarget() - c.available(), t.minimumIpTarget() - c.total()));
    }

    /** {@code over = max(0, min(F - WIP, T - MIN))}, in addresses (3.2). */
    public static int overIps(PoolCounts c, PoolTargets t) {
        return Math.max(0, Math.min(c.available() - t.warmIpTarget(), c.total() - t.minimumIpTarget()));
    }

    /** {@code shortP = ceil(short / 16)} (3.4). */
    public static int shortPrefixes(PoolCounts c, PoolTargets t) {
        return ceilDiv(shortIps(c, t), PREFIX_SIZE);
    }

    /**
     * {@code overP = max(0, min(FP, N_P - ceil((A + C + WIP) / 16), N_P - ceil(MIN / 16)))} (3.4). Upstream has
     * {@code A} where we have {@code A + C}: cooling addresses occupy room just as assigned ones do.
     */
    public static int overPrefixes(PoolCounts c, PoolTargets t) {
        int neededForWarm = ceilDiv(c.assigned() + c.cooling() + t.warmIpTarget(), PREFIX_SIZE);
        int neededForMinimum = ceilDiv(t.minimumIpTarget(), PREFIX_SIZE);
        return Math.max(0, Math.min(c.unusedPrefixes(),
                Math.min(c.prefixes() - neededForWarm, c.prefixes() - neededForMinimum)));
    }

    /** Whether the pool should grow (section 2 step 1, and 3.1 to 3.4). The max-pods cap wins over every target. */
    public static boolean isLow(PoolCounts c, PoolTargets t, NodeLimits limits) {
        if (c.total() >= limits.maxPods()) {
            return false;
        }
        int free = c.available();
        return switch (PoolMode.of(t)) {
            case WARM_ENI -> free < t.warmEniTarget() * limits.unitsPerEni() || (t.warmEniTarget() == 0 && free <= 0);
            case IP_TARGETS -> shortIps(c, t) > 0;
            case WARM_PREFIX -> free < PREFIX_SIZE * t.warmPrefixTarget() || (t.warmPrefixTarget() == 0 && free <= 0);
            case PREFIX_IP_TARGETS -> shortPrefixes(c, t) > 0;
        };
    }

    /** How many units (IPs or prefixes) are beyond the target; 0 when not "too high". */
    public static int excessUnits(PoolCounts c, PoolTargets t) {
        return switch (PoolMode.of(t)) {
            case WARM_ENI -> 0; // 3.1: this mode never gives single IPs back, only whole ENIs
            case IP_TARGETS -> overIps(c, t);
            case WARM_PREFIX -> Math.max(0, c.unusedPrefixes() - t.warmPrefixTarget());
            case PREFIX_IP_TARGETS -> overPrefixes(c, t);
        };
    }

    /** How many units one grow step asks for, before capping by an ENI's room (3.1 to 3.4). */
    public static int growUnits(PoolCounts c, PoolTargets t, NodeLimits limits) {
        return switch (PoolMode.of(t)) {
            case WARM_ENI -> limits.unitsPerEni();
            case IP_TARGETS -> shortIps(c, t);
            case WARM_PREFIX -> Math.max(1, t.warmPrefixTarget() - c.unusedPrefixes());
            case PREFIX_IP_TARGETS -> Math.max(1, shortPrefixes(c, t));
        };
    }

    /** The ENI-release gate of 3.1 to 3.4, before the per-ENI checks of section 4. */
    public static boolean eniReleaseGate(PoolCounts c, PoolTargets t, NodeLimits limits, boolean someSecondaryEniIsPodFree) {
        return switch (PoolMode.of(t)) {
            case WARM_ENI -> c.available() >= (t.warmEniTarget() + 1) * limits.unitsPerEni();
            case IP_TARGETS, PREFIX_IP_TARGETS -> true;
            case WARM_PREFIX -> c.available() >= (t.warmPrefixTarget() + 1) * PREFIX_SIZE * limits.unitsPerEni()
                    || someSecondaryEniIsPodFree;
        };
    }

    static int ceilDiv(int value, int divisor) {
        return value <= 0 ? 0 : Math.ceilDiv(value, divisor);
    }

    /** In prefix mode WIP and MIN are rounded up to whole prefixes before the per-ENI checks (section 4). */
    static int roundedTarget(int target, boolean prefixMode) {
        return prefixMode ? ceilDiv(target, PREFIX_SIZE) * PREFIX_SIZE : target;
    }
}
