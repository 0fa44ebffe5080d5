package io.vpccni.ipamd.config;

import static io.vpccni.ipamd.config.ConfigKeys.*;

import java.time.Duration;

/**
 * Warm-pool targets and timers. 0 means "not set" for warmIpTarget, minimumIpTarget and maxEni, as upstream
 * (an explicit 0 cannot be told apart from unset).
 *
 * @param forBoundPods WARM_POOL_FOR_BOUND_PODS: pods bound to the node and not yet added are demand the pool grows
 *                     for (docs/warm-pool.md section 11)
 */
public record WarmPoolSettings(int warmEniTarget, int warmIpTarget, int minimumIpTarget, int warmPrefixTarget,
                               boolean prefixDelegation, int maxEni, Duration ipCooldown,
                               boolean manageEnisNonSchedulable, boolean disableNetworkResourceProvisioning,
                               Duration addWait, boolean forBoundPods) {

    /**
     * VPC_CNI_ADD_WAIT's ceiling: the plugin's client gives ipamd 30 s for an answer (rpc's
     * Protocol.DEFAULT_CLIENT_TIMEOUT) and a strict network policy may hold an ADD 5 s more.
     */
    static final Duration LONGEST_ADD_WAIT = Duration.ofSeconds(25);

    static WarmPoolSettings read(ConfigReader r) {
        // Upstream silently ignores MAX_ENI <= 0; a negative value is almost always a typo, so we reject it
        // (issue "Foundation"). 0 and unset both mean the instance type's limit.
        int maxEni = r.optional(MAX_ENI, ConfigParser.nonNegative()).orElse(0);
        WarmPoolSettings settings = new WarmPoolSettings(
                r.get(WARM_ENI_TARGET, ConfigParser.nonNegative()),
                r.optional(WARM_IP_TARGET, ConfigParser.nonNegative()).orElse(0),
                r.optional(MINIMUM_IP_TARGET, ConfigParser.nonNegative()).orElse(0),
                r.optional(WARM_PREFIX_TARGET, ConfigParser.nonNegative()).orElse(0),
                r.get(ENABLE_PREFIX_DELEGATION, ConfigParser.bool()),
                maxEni,
                r.get(IP_COOLDOWN_PERIOD, ConfigParser.seconds()),
                r.get(AWS_MANAGE_ENIS_NON_SCHEDULABLE, ConfigParser.bool()),
                r.get(DISABLE_NETWORK_RESOURCE_PROVISIONING, ConfigParser.bool()),
                r.get(VPC_CNI_ADD_WAIT, ConfigParser.duration().check(w -> w.compareTo(LONGEST_ADD_WAIT) <= 0,
                        "a duration up to 25s (the plugin waits 30 s for ipamd's answer, 5 s of which strict network"
                                + " policy may take)")),
                r.get(WARM_POOL_FOR_BOUND_PODS, ConfigParser.bool()));
        if (settings.prefixDelegation() && settings.warmIpTarget() == 0 && settings.minimumIpTarget() == 0
                && settings.warmPrefixTarget() == 0) {
            // aws-node's entrypoint refuses this too: with no target at all the single spare prefix would flap.
            r.problem("ENABLE_PREFIX_DELEGATION=true needs WARM_PREFIX_TARGET, WARM_IP_TARGET or MINIMUM_IP_TARGET"
                    + " set to a value >= 1 (all are 0 or unset)");
        }
        return settings;
    }

    /** IP-target mode is in force when either IP target is set; it overrides WARM_ENI_TARGET and WARM_PREFIX_TARGET. */
    public boolean ipTargetsInForce() {
        return warmIpTarget > 0 || minimumIpTarget > 0;
    }
}
