package io.vpccni.policy.agent.model;

import java.util.Locale;

/**
 * NETWORK_POLICY_ENFORCING_MODE as aws-vpc-cni defines it. STANDARD: a pod no policy selects is open, and a new pod is
 * open until the policies that select it are enforced. STRICT: a pod no PolicyEndpoint selects is denied both ways,
 * from before its interface exists until a policy selecting it arrives (every pod then needs a policy).
 */
public enum EnforcingMode {
    STANDARD, STRICT;

    /** @throws IllegalArgumentException for anything but standard or strict (any case) */
    public static EnforcingMode parse(String value) {
        return switch (value == null ? "" : value.trim().toLowerCase(Locale.ROOT)) {
            case "standard" -> STANDARD;
            case "strict" -> STRICT;
            default -> throw new IllegalArgumentException(value + " is not standard or strict");
        };
    }
}
