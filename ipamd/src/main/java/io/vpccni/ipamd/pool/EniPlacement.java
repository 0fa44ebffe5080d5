package io.vpccni.ipamd.pool;

import io.vpccni.eni.model.Subnet;
import io.vpccni.eni.subnet.SubnetSelector;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** Where a new ENI goes: subnet and security groups. Custom networking supplies its own (from the ENIConfig). */
public interface EniPlacement {

    record Placement(String subnetId, Ipv4Cidr subnetCidr, List<String> securityGroupIds) {
        public Placement {
            securityGroupIds = List.copyOf(securityGroupIds);
        }
    }

    /**
     * @param addressesNeeded how many addresses the new ENI will take, to prefer a subnet that has them
     * @throws Unavailable when there is no right place now (custom networking without a usable ENIConfig)
     */
    Placement place(int addressesNeeded);

    /**
     * No ENI may be created now because the place for it is not known or not valid. The pool must not fall back to
     * another subnet: pods would get addresses the operator did not choose.
     */
    /** How long the subnet list (with free-address counts) of {@link #primaryOrDiscovered} is reused. */
    Duration SUBNET_CACHE = Duration.ofSeconds(60);

    record Candidates(List<Subnet> subnets, Instant fetched) {}

    final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }

    /**
     * aws-vpc-cni's default: the primary ENI's security groups, in the primary subnet, or with subnet discovery in
     * the tagged subnet of the node's zone that has the most free addresses.
     */
    static EniPlacement primaryOrDiscovered(SubnetSelector subnets, String primarySubnetId, String vpcId,
                                            String zone, boolean discovery, Supplier<List<String>> primaryGroups,
                                            Clock clock) {
        // A burst attaches several ENIs within seconds; asking DescribeSubnets for each would cost one EC2 call per
        // ENI for a choice that does not change that fast (a full subnet still fails fast: SubnetFull).
        AtomicReference<Candidates> cache = new AtomicReference<>();
        return needed -> {
            Candidates cached = cache.get();
            if (cached == null || clock.instant().isAfter(cached.fetched().plus(SUBNET_CACHE))) {
                cached = new Candidates(subnets.candidates(primarySubnetId, vpcId, zone, discovery), clock.instant());
                cache.set(cached);
            }
            List<Subnet> candidates = cached.subnets();
            if (candidates.isEmpty()) {
                throw new IllegalStateException("no subnet found for new ENIs (primary subnet " + primarySubnetId
                        + " not visible to DescribeSubnets)");
            }
            Subnet chosen = candidates.stream().filter(s -> s.availableAddresses() >= needed).findFirst()
                    .orElse(candidates.getFirst());
            return new Placement(chosen.id(), Ipv4Cidr.parse(chosen.cidrBlock()), primaryGroups.get());
        };
    }
}
