package io.vpccni.ipamd.k8s;

/**
 * A Kubernetes Event on this node.
 *
 * @param subject what the event is about beyond its reason (an EC2 operation, an ENIConfig name); events with the
 *                same reason and subject are one problem, reported once per window
 */
public record NodeEvent(Type type, String reason, String subject, String message) {

    public enum Type { Normal, Warning }

    /** Reasons, CamelCase as Kubernetes reasons are. */
    public static final String MISSING_IAM_PERMISSION = "MissingIAMPermissions";
    public static final String SUBNET_EXHAUSTED = "InsufficientIPAddressesInSubnet";
    public static final String ENI_LIMIT_REACHED = "ENILimitReached";
    public static final String INVALID_ENI_CONFIG = "InvalidENIConfig";
    /** Prefix delegation grew with secondary /32s: EC2 had no free /28 in the subnet (InsufficientCidrBlocks). */
    public static final String PREFIX_FALLBACK = "PrefixFallbackToSecondaryIPs";
}
