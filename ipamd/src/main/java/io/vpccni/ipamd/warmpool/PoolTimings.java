package io.vpccni.ipamd.warmpool;

import java.time.Duration;

/**
 * The policy's timers, aws-vpc-cni's values by default.
 *
 * @param minEniAge                  an ENI younger than this is never freed (lets a fresh attach settle)
 * @param shrinkInterval             minimum gap between two releases of IPs or prefixes
 * @param insufficientAddressBackoff no growth for this long after InsufficientFreeAddressesInSubnet, to spare the
 *                                   EC2 API; after InsufficientCidrBlocks, prefix mode grows with secondary /32s
 *                                   for this long before it asks for a prefix again ({@link PrefixFallback})
 */
public record PoolTimings(Duration minEniAge, Duration shrinkInterval, Duration insufficientAddressBackoff) {
    public static final PoolTimings DEFAULTS =
            new PoolTimings(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(120));
}
