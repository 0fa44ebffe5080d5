package io.vpccni.ipamd.datastore;

import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.time.Instant;
import java.util.Objects;

/**
 * An ENI attached to this node that the pool may use. The device index decides the route table
 * (index + 1; the primary ENI, index 0, uses main), so it is handed back with every assignment.
 */
public record EniInfo(String eniId, int deviceIndex, boolean primary, Ipv4Cidr subnetCidr,
                      Ipv4Address primaryIp, Instant createdAt) {
    public EniInfo {
        Objects.requireNonNull(eniId, "eniId");
        Objects.requireNonNull(subnetCidr, "subnetCidr");
        Objects.requireNonNull(primaryIp, "primaryIp");
        Objects.requireNonNull(createdAt, "createdAt");
        if (deviceIndex < 0) {
            throw new IllegalArgumentException("device index must be >= 0, was " + deviceIndex);
        }
    }
}
