package io.vpccni.it.eni;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.model.Subnet;
import io.vpccni.eni.subnet.SubnetSelector;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ENABLE_SUBNET_DISCOVERY against the emulator's subnets and their free-address counts. */
class SubnetDiscoveryTest {

    private final Node node = new Node();
    private final SubnetSelector selector = new SubnetSelector(node.ec2);

    @AfterEach
    void tearDown() {
        node.close();
    }

    @Test
    void ordersTaggedSubnetsByFreeAddressesAndLeavesOutOptedOutAndUntaggedOnes() {
        String busy = node.vpc.subnet(1, Map.of(Subnet.CNI_ROLE_TAG, "1"));
        String roomy = node.vpc.subnet(2, Map.of(Subnet.CNI_ROLE_TAG, "1"));
        String optedOut = node.vpc.subnet(3, Map.of(Subnet.CNI_ROLE_TAG, "0"));
        String untagged = node.vpc.subnet(4, Map.of());
        // Use up addresses in "busy" so the emulator reports fewer free ones there.
        node.raw.createNetworkInterface(b -> b.subnetId(busy).secondaryPrivateIpAddressCount(40));

        var candidates = selector.candidates(node.subnetId, node.vpc.vpcId(), "us-east-1a", true);

        assertThat(candidates).extracting(Subnet::id)
                .startsWith(roomy)
                .contains(busy, node.subnetId)
                .doesNotContain(optedOut, untagged);
        assertThat(candidates.indexOf(candidates.stream().filter(s -> s.id().equals(roomy)).findFirst().orElseThrow()))
                .isLessThan(candidates.indexOf(candidates.stream().filter(s -> s.id().equals(busy)).findFirst()
                        .orElseThrow()));
    }

    @Test
    void withoutDiscoveryOnlyThePrimarySubnetIsUsed() {
        node.vpc.subnet(1, Map.of(Subnet.CNI_ROLE_TAG, "1"));

        assertThat(selector.candidates(node.subnetId, node.vpc.vpcId(), "us-east-1a", false))
                .extracting(Subnet::id).containsExactly(node.subnetId);
    }

    @Test
    void reportsTheSubnetsFreeAddressCount() {
        Subnet subnet = selector.subnet(node.subnetId).orElseThrow();

        assertThat(subnet.availableAddresses()).isBetween(4000, 4091);
        assertThat(subnet.cidrBlock()).endsWith("/20");
    }
}
