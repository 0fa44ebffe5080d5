package io.vpccni.ipamd.warmpool;

/** Which rule set of docs/warm-pool.md section 3 applies. */
enum PoolMode {
    /** 3.1: secondary IPs, WARM_ENI_TARGET. */
    WARM_ENI,
    /** 3.2: secondary IPs, WARM_IP_TARGET and/or MINIMUM_IP_TARGET. */
    IP_TARGETS,
    /** 3.3: prefixes, WARM_PREFIX_TARGET. */
    WARM_PREFIX,
    /** 3.4: prefixes, WARM_IP_TARGET and/or MINIMUM_IP_TARGET. */
    PREFIX_IP_TARGETS;

    static PoolMode of(PoolTargets targets) {
        boolean ipTargets = targets.warmIpTarget() > 0 || targets.minimumIpTarget() > 0;
        if (targets.prefixDelegation()) {
            return ipTargets ? PREFIX_IP_TARGETS : WARM_PREFIX;
        }
        return ipTargets ? IP_TARGETS : WARM_ENI;
    }

    boolean prefixes() {
        return this == WARM_PREFIX || this == PREFIX_IP_TARGETS;
    }
}
