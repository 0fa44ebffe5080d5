package io.vpccni.ipamd.checkpoint;

import java.util.List;
import java.util.Objects;

/**
 * One ENI of the pool as the daemon last wrote it: which ENI is ipamd's to use, at which device (which route table),
 * and the addresses EC2 had assigned to it, so that a restarted daemon can hand out the free ones before EC2 has
 * answered. Our addition to the format (the top-level {@code enis}, which the Go reader ignores); a checkpoint
 * without it, aws-node's, is served from only once EC2 has answered.
 *
 * <p>Written before any of its addresses goes back to EC2 (Datastore#whenAddressesLeave), so it never lists an
 * address EC2 may already have given to another ENI.
 *
 * @param subnetCidr    the ENI's subnet, which the plugin's reply carries
 * @param createdAtNanos unix time in nanoseconds, like allocationTimestamp
 * @param cidrs         the /32 secondary addresses and /28 prefixes the pool holds on it, in CIDR form
 */
public record PooledEni(String eniId, int deviceNumber, boolean primary, String subnetCidr, String primaryIp,
                        long createdAtNanos, List<String> cidrs) {

    public PooledEni {
        Objects.requireNonNull(eniId, "eniId");
        Objects.requireNonNull(subnetCidr, "subnetCidr");
        Objects.requireNonNull(primaryIp, "primaryIp");
        cidrs = List.copyOf(cidrs);
        if (eniId.isEmpty()) {
            throw new IllegalArgumentException("a pooled ENI needs an id");
        }
        if (deviceNumber < 0) {
            throw new IllegalArgumentException("deviceNumber must not be negative: " + deviceNumber);
        }
    }
}
