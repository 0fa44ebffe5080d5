package io.vpccni.ipamd.k8s;

import io.vpccni.eni.model.Subnet;
import io.vpccni.eni.subnet.SubnetSelector;
import io.vpccni.netlink.ip.Ipv4Cidr;
import io.vpccni.ipamd.pool.EniPlacement;
import java.util.List;
import java.util.function.Supplier;

/**
 * Custom networking: new ENIs go into the subnet of the node's ENIConfig, with its security groups (the primary
 * ENI's when it names none). Whenever that cannot be determined - node or ENIConfigs not read yet, the ENIConfig
 * missing or invalid, its subnet unknown to EC2 or in another zone - no ENI is created at all: the primary subnet
 * is exactly where the operator did not want pods.
 */
final class EniConfigPlacement implements EniPlacement {

    private final EniConfigChoice choice;
    private final SubnetSelector subnets;
    private final String zone;
    private final Supplier<List<String>> primaryGroups;

    EniConfigPlacement(EniConfigChoice choice, SubnetSelector subnets, String zone,
                       Supplier<List<String>> primaryGroups) {
        this.choice = choice;
        this.subnets = subnets;
        this.zone = zone;
        this.primaryGroups = primaryGroups;
    }

    @Override
    public Placement place(int addressesNeeded) {
        EniConfig config = choice.resolve();
        Subnet subnet = subnets.subnet(config.subnet()).orElseThrow(() -> new Unavailable("ENIConfig "
                + config.name() + ": subnet " + config.subnet() + " does not exist"));
        if (!subnet.availabilityZone().equals(zone)) {
            throw new Unavailable("ENIConfig " + config.name() + ": subnet " + subnet.id() + " is in "
                    + subnet.availabilityZone() + ", the node is in " + zone);
        }
        List<String> groups = config.securityGroups().isEmpty() ? primaryGroups.get() : config.securityGroups();
        return new Placement(subnet.id(), Ipv4Cidr.parse(subnet.cidrBlock()), groups);
    }
}
