package io.vpccni.it.vpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.netlink.api.IpPrefix;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.NetworkInterfaceAttachment;
import software.amazon.awssdk.services.ec2.model.NetworkInterfacePrivateIpAddress;

class FabricPlanTest {

    private static final Map<String, Integer> NODES = Map.of("i-a", 0, "i-b", 1);

    @Test
    void routesEverySecondaryAddressToThePrimaryAddressOfItsEni() {
        FabricPlan plan = plan(eni("eni-1", "i-a", 0, "10.1.0.4", "10.1.0.20", "10.1.0.21"),
                eni("eni-2", "i-a", 1, "10.1.0.30", "10.1.0.31"));

        assertThat(plan.links()).containsOnlyKeys("eni-1", "eni-2");
        assertThat(plan.links().get("eni-2").fabricName()).isEqualTo("n0e1");
        assertThat(plan.links().get("eni-2").nodeName()).isEqualTo("eth1");
        assertThat(plan.links().get("eni-2").gateway().getHostAddress()).isEqualTo("10.1.0.1");
        assertThat(plan.nextHop(host("10.1.0.21"))).map(a -> a.getHostAddress()).contains("10.1.0.4");
        assertThat(plan.nextHop(host("10.1.0.31"))).map(a -> a.getHostAddress()).contains("10.1.0.30");
        assertThat(plan.routes()).doesNotContainKey(host("10.1.0.4"));
        assertThat(plan.clashes()).isEmpty();
    }

    @Test
    void ignoresEnisOfOtherInstancesAndUnattachedOnes() {
        NetworkInterface unattached = NetworkInterface.builder().networkInterfaceId("eni-9").subnetId("subnet-1")
                .privateIpAddress("10.1.0.9").build();

        FabricPlan plan = plan(eni("eni-1", "i-other", 0, "10.1.0.4", "10.1.0.5"), unattached);

        assertThat(plan.links()).isEmpty();
        assertThat(plan.routes()).isEmpty();
    }

    @Test
    void anAddressTwoEnisClaimGoesToTheLowerDeviceIndexAndIsReported() {
        FabricPlan plan = plan(eni("eni-2", "i-a", 1, "10.1.0.30", "10.1.0.20"),
                eni("eni-1", "i-a", 0, "10.1.0.4", "10.1.0.20"));

        assertThat(plan.nextHop(host("10.1.0.20"))).map(a -> a.getHostAddress()).contains("10.1.0.4");
        assertThat(plan.clashes()).containsExactly("10.1.0.20/32 claimed by eni-1 and eni-2");
    }

    @Test
    void anEniOfANotYetKnownSubnetWaitsForTheNextPass() {
        FabricPlan plan = FabricPlan.of(List.of(eni("eni-1", "i-b", 0, "10.1.16.4", "10.1.16.5")), NODES,
                id -> Optional.empty());

        assertThat(plan.links()).isEmpty();
    }

    private static FabricPlan plan(NetworkInterface... enis) {
        return FabricPlan.of(List.of(enis), NODES, id -> Optional.of(IpPrefix.parse("10.1.0.0/20")));
    }

    private static IpPrefix host(String ip) {
        return IpPrefix.parse(ip + "/32");
    }

    @Test
    void anEniStillAttachingHasNoLinkYet() {
        NetworkInterface attaching = eni("eni-2", "i-a", 1, "10.1.0.30", "10.1.0.31").toBuilder()
                .attachment(a -> a.instanceId("i-a").deviceIndex(1).status("attaching")).build();

        FabricPlan plan = plan(eni("eni-1", "i-a", 0, "10.1.0.4"), attaching);

        assertThat(plan.links()).containsOnlyKeys("eni-1");
        assertThat(plan.nextHop(host("10.1.0.31"))).isEmpty();
    }

    @Test
    void aDelegatedPrefixIsRoutedToItsEnisPrimaryAddress() {
        NetworkInterface withPrefix = eni("eni-2", "i-a", 1, "10.1.0.30").toBuilder()
                .ipv4Prefixes(p -> p.ipv4Prefix("10.1.0.64/28")).build();

        FabricPlan plan = plan(eni("eni-1", "i-a", 0, "10.1.0.4"), withPrefix);

        assertThat(plan.nextHop(IpPrefix.parse("10.1.0.64/28"))).map(a -> a.getHostAddress()).contains("10.1.0.30");
    }

    private static NetworkInterface eni(String id, String instance, int deviceIndex, String primary,
                                        String... secondaries) {
        List<NetworkInterfacePrivateIpAddress> ips = new java.util.ArrayList<>();
        ips.add(NetworkInterfacePrivateIpAddress.builder().privateIpAddress(primary).primary(true).build());
        for (String s : secondaries) {
            ips.add(NetworkInterfacePrivateIpAddress.builder().privateIpAddress(s).primary(false).build());
        }
        return NetworkInterface.builder().networkInterfaceId(id).subnetId("subnet-1").privateIpAddress(primary)
                .macAddress(String.format("02:00:00:00:00:%02x", id.hashCode() & 0xff))
                .attachment(NetworkInterfaceAttachment.builder().instanceId(instance).deviceIndex(deviceIndex)
                        .status("attached").build())
                .privateIpAddresses(ips).build();
    }
}
