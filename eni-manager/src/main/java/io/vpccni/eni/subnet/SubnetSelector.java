package io.vpccni.eni.subnet;

import io.vpccni.eni.model.Subnet;
import io.vpccni.eni.port.Ec2Api;
import io.vpccni.eni.port.Ec2Api.SubnetQuery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which subnets new ENIs may go into. Without discovery that is the primary ENI's subnet; with
 * ENABLE_SUBNET_DISCOVERY it is also every subnet of the node's VPC and zone tagged kubernetes.io/role/cni
 * (a value of "0" opts a subnet out), the one with the most free addresses first.
 */
public final class SubnetSelector {

    private final Ec2Api ec2;

    public SubnetSelector(Ec2Api ec2) {
        this.ec2 = ec2;
    }

    public Optional<Subnet> subnet(String subnetId) {
        return ec2.describeSubnets(SubnetQuery.byIds(List.of(subnetId))).stream().findFirst();
    }

    /** Candidates for a new ENI, best first. */
    public List<Subnet> candidates(String primarySubnetId, String vpcId, String availabilityZone, boolean discovery) {
        if (!discovery) {
            return subnet(primarySubnetId).map(List::of).orElse(List.of());
        }
        List<Subnet> tagged = ec2.describeSubnets(new SubnetQuery(List.of(), Optional.of(vpcId),
                Optional.of(availabilityZone), List.of(Subnet.CNI_ROLE_TAG)));
        List<Subnet> candidates = new ArrayList<>(tagged);
        if (candidates.stream().noneMatch(s -> s.id().equals(primarySubnetId))) {
            subnet(primarySubnetId).ifPresent(candidates::add);
        }
        return order(candidates);
    }

    /** Pure ordering: drop opted-out subnets, most free addresses first, subnet id to break ties. */
    public static List<Subnet> order(List<Subnet> subnets) {
        return subnets.stream()
                .filter(s -> !"0".equals(s.tags().get(Subnet.CNI_ROLE_TAG)))
                .sorted(Comparator.comparingInt(Subnet::availableAddresses).reversed().thenComparing(Subnet::id))
                .toList();
    }
}
