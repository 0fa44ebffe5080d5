package io.vpccni.it.eni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.lifecycle.EniManager;
import io.vpccni.eni.lifecycle.EniManagerSettings;
import io.vpccni.eni.lifecycle.NewEni;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.port.Ec2Api.EniQuery;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** The ENI lifecycle against the EC2 emulator: what was asked for is what EC2 holds afterwards. */
class EniLifecycleTest {

    private final Node node = new Node();
    private final EniManagerSettings settings =
            new EniManagerSettings(Optional.of("test-cluster"), Map.of("team", "net", "env", "ci"), -1);
    private final EniManager manager = node.manager(settings);

    @AfterEach
    void tearDown() {
        node.close();
    }

    @Test
    void createsAndAttachesAnEniWithItsIpsTagsAndDescriptionInThreeCalls() {
        long before = node.stats.totalCalls();
        Eni eni = manager.createAndAttach(NewEni.withIps(node.subnetId, List.of(node.vpc.securityGroupId()), 4),
                Set.of(0));

        assertThat(node.stats.totalCalls() - before).isEqualTo(3);
        assertThat(node.stats.calls()).containsKeys("CreateNetworkInterface", "AttachNetworkInterface",
                "ModifyNetworkInterfaceAttribute");
        Eni seen = describe(eni.id());
        assertThat(seen.deviceIndex()).isEqualTo(1);
        assertThat(seen.attachedInstanceId()).contains(node.instance.instanceId());
        assertThat(seen.secondaryIps()).hasSize(4).containsExactlyInAnyOrderElementsOf(eni.secondaryIps());
        assertThat(seen.description()).isEqualTo("aws-K8S-" + node.instance.instanceId());
        assertThat(seen.securityGroupIds()).containsExactly(node.vpc.securityGroupId());
        assertThat(seen.tags())
                .containsEntry("node.k8s.amazonaws.com/instance_id", node.instance.instanceId())
                .containsEntry("cluster.k8s.amazonaws.com/name", "test-cluster")
                .containsEntry("team", "net")
                .containsEntry("env", "ci")
                .containsKey("node.k8s.amazonaws.com/createdAt");
        assertThat(seen.createdAtTag()).hasValueSatisfying(
                t -> assertThat(t).isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(2, ChronoUnit.MINUTES)));
    }

    @Test
    void picksTheLowestFreeDeviceIndex() {
        Eni eni = manager.createAndAttach(NewEni.withIps(node.subnetId, List.of(), 1), Set.of(0, 1));

        assertThat(eni.deviceIndex()).isEqualTo(2);
        assertThat(describe(eni.id()).deviceIndex()).isEqualTo(2);
    }

    @Test
    void fillsAndDrainsSecondaryIps() {
        Eni eni = manager.createAndAttach(NewEni.withIps(node.subnetId, List.of(), 2), Set.of(0));

        Eni filled = manager.assignIps(eni, 5);
        assertThat(filled.secondaryIps()).hasSize(7).containsAll(eni.secondaryIps());
        assertThat(describe(eni.id()).secondaryIps()).containsExactlyInAnyOrderElementsOf(filled.secondaryIps());

        List<String> release = filled.secondaryIps().subList(0, 3);
        Eni drained = manager.unassignIps(filled, release);
        assertThat(drained.secondaryIps()).hasSize(4).doesNotContainAnyElementsOf(release);
        assertThat(describe(eni.id()).secondaryIps()).containsExactlyInAnyOrderElementsOf(drained.secondaryIps());
    }

    @Test
    void createsAssignsAndUnassignsPrefixesThroughTheSdk() {
        Eni eni = manager.createAndAttach(NewEni.withPrefixes(node.subnetId, List.of(), 1), Set.of(0));
        Eni grown = manager.assignPrefixes(eni, 2);

        assertThat(node.stats.calls("AssignPrivateIpAddresses")).isEqualTo(1);
        assertThat(eni.prefixes()).hasSize(1);
        assertThat(grown.prefixes()).hasSize(3).containsAll(eni.prefixes()).allMatch(p -> p.endsWith("/28"));
        assertThat(grown.secondaryIps()).isEmpty();
        Eni shrunk = manager.unassignPrefixes(grown, eni.prefixes());
        assertThat(shrunk.prefixes()).hasSize(2).doesNotContainAnyElementsOf(eni.prefixes());
    }

    @Test
    void detachesAndDeletesAndTreatsAnAlreadyDeletedEniAsDone() {
        Eni eni = manager.createAndAttach(NewEni.withIps(node.subnetId, List.of(), 1), Set.of(0));

        manager.detachAndDelete(eni);
        assertThat(node.ec2.describeNetworkInterfaces(new EniQuery(List.of(), Optional.empty(), Optional.empty(),
                Map.of("node.k8s.amazonaws.com/instance_id", node.instance.instanceId()), List.of()))).isEmpty();

        manager.detachAndDelete(eni);
    }

    @Test
    void listsTheInstancesEnisAndLeavesNoManageOnesOut() {
        Eni ours = manager.createAndAttach(NewEni.withIps(node.subnetId, List.of(), 1), Set.of(0));
        String foreign = node.raw.createNetworkInterface(b -> b.subnetId(node.subnetId)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.NETWORK_INTERFACE)
                        .tags(Tag.builder().key("node.k8s.amazonaws.com/no_manage").value("true").build()).build()))
                .networkInterface().networkInterfaceId();
        node.raw.attachNetworkInterface(b -> b.networkInterfaceId(foreign).instanceId(node.instance.instanceId())
                .deviceIndex(2));

        assertThat(manager.nodeEnis()).extracting(Eni::id).contains(ours.id(), foreign).hasSize(3);
        assertThat(manager.managedEnis()).extracting(Eni::id).contains(ours.id()).doesNotContain(foreign);
        Eni unmanaged = describe(foreign);
        assertThatThrownBy(() -> manager.detachAndDelete(unmanaged)).hasMessageContaining("no_manage");
        assertThat(describe(foreign).isAttached()).isTrue();
    }

    @Test
    void refusesAnEniBeyondTheInstanceLimitWithoutCallingEc2() {
        long before = node.stats.totalCalls();

        assertThatThrownBy(() -> manager.createAndAttach(NewEni.withIps(node.subnetId, List.of(), 1), Set.of(0, 1, 2)))
                .isInstanceOf(Ec2Failure.LimitExceeded.class)
                .hasMessageContaining("m5.large allows 3 ENIs");
        assertThat(node.stats.totalCalls()).isEqualTo(before);
    }

    @Test
    void maxEniCapsTheEniCountBelowTheInstanceLimit() {
        EniManager capped = node.manager(new EniManagerSettings(Optional.empty(), Map.of(), 2));

        assertThat(capped.limits().maxEnis()).isEqualTo(2);
        assertThatThrownBy(() -> capped.createAndAttach(NewEni.withIps(node.subnetId, List.of(), 1), Set.of(0, 1)))
                .isInstanceOf(Ec2Failure.LimitExceeded.class);
    }

    @Test
    void refusesMoreIpsThanAnEniCanHoldWithoutCallingEc2() {
        Eni eni = manager.createAndAttach(NewEni.withIps(node.subnetId, List.of(), 8), Set.of(0));
        long before = node.stats.totalCalls();

        assertThatThrownBy(() -> manager.assignIps(eni, 2))
                .isInstanceOf(Ec2Failure.LimitExceeded.class)
                .hasMessageContaining("9 secondary IPs or prefixes per ENI");
        assertThatThrownBy(() -> manager.createAndAttach(NewEni.withIps(node.subnetId, List.of(), 10), Set.of(0, 1)))
                .isInstanceOf(Ec2Failure.LimitExceeded.class);
        assertThat(node.stats.totalCalls()).isEqualTo(before);
        // The ninth is still allowed (its size is not checked: the emulator can hand out the ENI's own primary IP).
        org.assertj.core.api.Assertions.assertThatCode(() -> manager.assignIps(eni, 1)).doesNotThrowAnyException();
    }

    @Test
    void readsInstanceLimitsFromDescribeInstanceTypesOnce() {
        var source = new io.vpccni.eni.limits.InstanceLimitsSource(node.ec2);
        long before = node.stats.calls("DescribeInstanceTypes");

        var limits = source.limitsFor("m5.large", -1);
        source.limitsFor("m5.large", -1);

        assertThat(limits.maxEnis()).isEqualTo(3);
        assertThat(limits.ipv4PerEni()).isEqualTo(10);
        assertThat(limits.maxPods()).isEqualTo(29);
        assertThat(limits.prefixDelegationSupported()).isTrue();
        assertThat(node.stats.calls("DescribeInstanceTypes") - before).isEqualTo(1);
    }

    private Eni describe(String eniId) {
        return node.ec2.describeNetworkInterfaces(EniQuery.byIds(List.of(eniId))).getFirst();
    }
}
