package io.vpccni.eni.subnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.fake.FakeEc2Api;
import io.vpccni.eni.model.Subnet;
import io.vpccni.eni.port.Ec2Api.CreateEni;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Subnets for new ENIs, with and without ENABLE_SUBNET_DISCOVERY, on the in-memory EC2. */
class SubnetSelectorTest {

    private static final String ZONE = FakeEc2Api.DEFAULT_ZONE;

    private final FakeEc2Api ec2 = new FakeEc2Api();
    private final String primary = ec2.createSubnet("10.0.0.0/24");
    private final SubnetSelector selector = new SubnetSelector(ec2);

    private String subnet(String cidr, String zone, Map<String, String> tags) {
        return ec2.createSubnet(cidr, zone, tags);
    }

    @Test
    void discoveryOrdersTaggedSubnetsOfTheZoneByFreeAddressesAndLeavesTheRestOut() {
        String busy = subnet("10.0.1.0/24", ZONE, Map.of(Subnet.CNI_ROLE_TAG, "1"));
        String roomy = subnet("10.0.2.0/24", ZONE, Map.of(Subnet.CNI_ROLE_TAG, ""));
        String optedOut = subnet("10.0.3.0/24", ZONE, Map.of(Subnet.CNI_ROLE_TAG, "0"));
        String untagged = subnet("10.0.4.0/24", ZONE, Map.of());
        String otherZone = subnet("10.0.5.0/24", "us-east-1b", Map.of(Subnet.CNI_ROLE_TAG, "1"));
        ec2.createNetworkInterface(new CreateEni(busy, "someone's", List.of(), 40, 0, Map.of()));
        ec2.createNetworkInterface(new CreateEni(primary, "someone's", List.of(), 20, 0, Map.of()));

        List<Subnet> candidates = selector.candidates(primary, ec2.vpcId(), ZONE, true);

        assertThat(candidates).extracting(Subnet::id).containsExactly(roomy, primary, busy)
                .doesNotContain(optedOut, untagged, otherZone);
        assertThat(candidates).extracting(Subnet::availableAddresses).containsExactly(251, 230, 210);
    }

    @Test
    void withoutDiscoveryOnlyThePrimarySubnetIsUsed() {
        subnet("10.0.1.0/24", ZONE, Map.of(Subnet.CNI_ROLE_TAG, "1"));

        assertThat(selector.candidates(primary, ec2.vpcId(), ZONE, false)).extracting(Subnet::id)
                .containsExactly(primary);
    }

    @Test
    void reportsTheSubnetsBlockAndFreeAddressCount() {
        ec2.runInstance(primary, "c5.large");

        Subnet subnet = selector.subnet(primary).orElseThrow();

        assertThat(subnet.cidrBlock()).isEqualTo("10.0.0.0/24");
        assertThat(subnet.availableAddresses()).isEqualTo(256 - 5 - 1);
        assertThat(subnet.vpcId()).isEqualTo(ec2.vpcId());
    }
}
