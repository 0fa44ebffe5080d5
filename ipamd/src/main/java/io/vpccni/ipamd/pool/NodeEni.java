package io.vpccni.ipamd.pool;

import io.vpccni.eni.model.Eni;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.time.Instant;

/**
 * An ENI of this node as the pool knows it: EC2's view (addresses, attachment) plus what EC2 does not carry on
 * the ENI itself, its subnet's CIDR, and whether it is the instance's primary ENI.
 */
public record NodeEni(Eni eni, Ipv4Cidr subnetCidr, boolean primary, Instant createdAt) {

    public String id() {
        return eni.id();
    }

    public NodeEni with(Eni updated) {
        return new NodeEni(updated, subnetCidr, primary, createdAt);
    }
}
