package io.vpccni.ipamd.config;

import static io.vpccni.ipamd.config.ConfigKeys.ENABLE_NETWORK_POLICY;
import static io.vpccni.ipamd.config.ConfigKeys.NETWORK_POLICY_ENFORCING_MODE;

/**
 * NetworkPolicy enforcement on this node (docs/network-policy.md), with upstream's names and values: on or off, and
 * the enforcing mode.
 */
public record NetworkPolicySettings(boolean enabled, EnforcingMode enforcingMode) {

    /** standard: a pod is open until a policy selects it; strict: a new pod is closed until its policies arrive. */
    public enum EnforcingMode { STANDARD, STRICT }

    static NetworkPolicySettings read(ConfigReader r) {
        return new NetworkPolicySettings(r.get(ENABLE_NETWORK_POLICY, ConfigParser.bool()),
                r.get(NETWORK_POLICY_ENFORCING_MODE, ConfigParser.oneOf(EnforcingMode.class)));
    }
}
