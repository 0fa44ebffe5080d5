package io.vpccni.ipamd.warmpool;

import io.vpccni.ipamd.config.IpamdConfig;
import java.util.Objects;

/**
 * The configured targets, after parsing. 0 means "not set" for WIP, MIN and MAX_ENI, as upstream.
 *
 * @param customNetworking         the primary ENI gets no pod addresses (ENIConfig subnets are used instead)
 * @param manageEnisNonSchedulable keep growing and freeing on an unschedulable node
 */
public record PoolTargets(boolean prefixDelegation, int warmEniTarget, int warmIpTarget, int minimumIpTarget,
                          int warmPrefixTarget, int maxEni, boolean customNetworking,
                          boolean manageEnisNonSchedulable, PoolTimings timings) {

    public PoolTargets {
        if (warmEniTarget < 0 || warmIpTarget < 0 || minimumIpTarget < 0 || warmPrefixTarget < 0) {
            throw new IllegalArgumentException("targets must not be negative");
        }
        Objects.requireNonNull(timings, "timings");
    }

    public static PoolTargets from(IpamdConfig config) {
        var pool = config.pool();
        return new PoolTargets(pool.prefixDelegation(), pool.warmEniTarget(), pool.warmIpTarget(),
                pool.minimumIpTarget(), pool.warmPrefixTarget(), pool.maxEni(), config.eni().customNetworking(),
                pool.manageEnisNonSchedulable(), PoolTimings.DEFAULTS);
    }

    /** Secondary-IP mode with WARM_ENI_TARGET only (upstream's default, WENI = 1). */
    public static PoolTargets warmEni(int warmEniTarget) {
        return new PoolTargets(false, warmEniTarget, 0, 0, 0, 0, false, false, PoolTimings.DEFAULTS);
    }

    /** Secondary-IP mode with WARM_IP_TARGET / MINIMUM_IP_TARGET (0 = unset). */
    public static PoolTargets warmIp(int warmIpTarget, int minimumIpTarget) {
        return new PoolTargets(false, 1, warmIpTarget, minimumIpTarget, 0, 0, false, false, PoolTimings.DEFAULTS);
    }

    /** Prefix delegation with WARM_PREFIX_TARGET only. */
    public static PoolTargets warmPrefix(int warmPrefixTarget) {
        return new PoolTargets(true, 1, 0, 0, warmPrefixTarget, 0, false, false, PoolTimings.DEFAULTS);
    }

    /** Prefix delegation with WARM_IP_TARGET / MINIMUM_IP_TARGET, which override WARM_PREFIX_TARGET. */
    public static PoolTargets prefixWithIpTargets(int warmIpTarget, int minimumIpTarget, int warmPrefixTarget) {
        return new PoolTargets(true, 1, warmIpTarget, minimumIpTarget, warmPrefixTarget, 0, false, false,
                PoolTimings.DEFAULTS);
    }

    /** Network cards other than 0 always run with WIP = 1 and MIN = 1, whatever the environment says (E30). */
    public PoolTargets forNetworkCard(int networkCardIndex) {
        return networkCardIndex == 0 ? this
                : new PoolTargets(prefixDelegation, warmEniTarget, 1, 1, warmPrefixTarget, maxEni, customNetworking,
                        manageEnisNonSchedulable, timings);
    }

    public PoolTargets withMaxEni(int newMaxEni) {
        return new PoolTargets(prefixDelegation, warmEniTarget, warmIpTarget, minimumIpTarget, warmPrefixTarget,
                newMaxEni, customNetworking, manageEnisNonSchedulable, timings);
    }

    public PoolTargets withCustomNetworking(boolean enabled) {
        return new PoolTargets(prefixDelegation, warmEniTarget, warmIpTarget, minimumIpTarget, warmPrefixTarget,
                maxEni, enabled, manageEnisNonSchedulable, timings);
    }

    public PoolTargets withManageEnisNonSchedulable(boolean enabled) {
        return new PoolTargets(prefixDelegation, warmEniTarget, warmIpTarget, minimumIpTarget, warmPrefixTarget,
                maxEni, customNetworking, enabled, timings);
    }
}
