package io.vpccni.eni.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.fake.FakeEc2Api;
import io.vpccni.eni.fake.Fault;
import io.vpccni.eni.fake.Sleeper;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.port.Ec2Api.CreateEni;
import io.vpccni.eni.port.Ec2Api.EniQuery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ENI lifecycle of one m5.large node (3 ENIs, 9 secondary slots each) on the in-memory EC2. */
class EniManagerTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeEc2Api ec2 = new FakeEc2Api("10.30.0.0/16", () -> NOW,
            Sleeper.REAL, 3);
    private final String subnet = ec2.createSubnet("10.30.0.0/22");
    private final String instance = ec2.runInstance(subnet, "m5.large");
    private final EniManager manager = manager(new EniManagerSettings(Optional.of("blue"), Map.of("team", "net"), -1));

    private EniManager manager(EniManagerSettings settings) {
        return new EniManager(ec2, ec2.instanceMetadata(instance).identity(),
                ec2.describeInstanceType("m5.large").orElseThrow().withMaxEni(settings.maxEni()), settings,
                Clock.fixed(NOW, ZoneOffset.UTC), new EniManager.DeleteRetry(4, Duration.ofMillis(1), Duration.ofMillis(2)));
    }

    private Eni describe(String eniId) {
        return ec2.describeNetworkInterfaces(EniQuery.byIds(List.of(eniId))).getFirst();
    }

    @Test
    void createsAndAttachesAnEniWithItsIpsTagsAndDescriptionInThreeCallsMarkedDeleteOnTermination() {
        long before = ec2.totalCalls();

        Eni eni = manager.createAndAttach(NewEni.withIps(subnet, List.of("sg-1"), 4), Set.of(0));

        assertThat(ec2.totalCalls() - before).isEqualTo(3);
        assertThat(List.of("CreateNetworkInterface", "AttachNetworkInterface", "ModifyNetworkInterfaceAttribute"))
                .allSatisfy(operation -> assertThat(ec2.calls(operation)).as(operation).isEqualTo(1));
        Eni seen = describe(eni.id());
        assertThat(seen.deviceIndex()).isEqualTo(1);
        assertThat(seen.attachedInstanceId()).contains(instance);
        assertThat(seen.secondaryIps()).hasSize(4).containsExactlyInAnyOrderElementsOf(eni.secondaryIps());
        assertThat(seen.description()).isEqualTo("aws-K8S-" + instance);
        assertThat(seen.securityGroupIds()).containsExactly("sg-1");
        assertThat(seen.tags()).containsEntry(Eni.INSTANCE_ID_TAG, instance).containsEntry(Eni.CLUSTER_NAME_TAG, "blue")
                .containsEntry("team", "net");
        assertThat(seen.createdAtTag()).contains(NOW);

        ec2.terminate(instance);
        assertThat(ec2.describeNetworkInterfaces(EniQuery.byIds(List.of()))).as("deleted with the instance")
                .isEmpty();
    }

    @Test
    void picksTheLowestFreeDeviceIndex() {
        Eni eni = manager.createAndAttach(NewEni.withIps(subnet, List.of(), 1), Set.of(0, 2));

        assertThat(eni.deviceIndex()).isEqualTo(1);
        assertThat(describe(eni.id()).deviceIndex()).isEqualTo(1);
    }

    @Test
    void fillsAndDrainsSecondaryIpsAndPrefixesAsEc2Does() {
        Eni ips = manager.createAndAttach(NewEni.withIps(subnet, List.of(), 2), Set.of(0));
        Eni filled = manager.assignIps(ips, 5);
        assertThat(filled.secondaryIps()).hasSize(7).containsAll(ips.secondaryIps());
        List<String> release = filled.secondaryIps().subList(0, 3);
        Eni drained = manager.unassignIps(filled, release);
        assertThat(drained.secondaryIps()).hasSize(4).doesNotContainAnyElementsOf(release);
        assertThat(describe(ips.id()).secondaryIps()).containsExactlyInAnyOrderElementsOf(drained.secondaryIps());

        Eni prefixes = manager.createAndAttach(NewEni.withPrefixes(subnet, List.of(), 1), Set.of(0, 1));
        Eni more = manager.assignPrefixes(prefixes, 2);
        assertThat(more.prefixes()).hasSize(3).containsAll(prefixes.prefixes());
        Eni fewer = manager.unassignPrefixes(more, List.of(more.prefixes().getFirst()));
        assertThat(describe(prefixes.id()).prefixes()).containsExactlyInAnyOrderElementsOf(fewer.prefixes())
                .hasSize(2);
        assertThat(fewer.secondaryIps()).isEmpty();
    }

    @Test
    void aFailedAttachLeavesNoEniBehindAndReportsTheAttachFailure() {
        ec2.failNext("AttachNetworkInterface", 1, Fault.unauthorized());

        assertThatThrownBy(() -> manager.createAndAttach(NewEni.withIps(subnet, List.of(), 2), Set.of(0)))
                .isInstanceOfSatisfying(Ec2Failure.PermissionDenied.class,
                        f -> assertThat(f.operation()).isEqualTo("AttachNetworkInterface"));
        assertThat(ec2.describeNetworkInterfaces(EniQuery.byIds(List.of()))).as("only the primary ENI").hasSize(1);
    }

    @Test
    void deletingIsRetriedWhileEc2StillReportsTheEniInUse() {
        Eni eni = manager.createAndAttach(NewEni.withIps(subnet, List.of(), 1), Set.of(0));
        ec2.failNext("DeleteNetworkInterface", 2, new Fault.ServiceError("InvalidNetworkInterface.InUse", 400,
                "The network interface is currently in use."));

        manager.detachAndDelete(eni);

        assertThat(ec2.calls("DeleteNetworkInterface")).isEqualTo(3);
        assertThat(ec2.describeNetworkInterfaces(EniQuery.byIds(List.of()))).hasSize(1);
    }

    @Test
    void detachesAndDeletesAndTreatsAnAlreadyDeletedEniAsDone() {
        Eni eni = manager.createAndAttach(NewEni.withIps(subnet, List.of(), 1), Set.of(0));

        manager.detachAndDelete(eni);
        assertThat(manager.nodeEnis()).extracting(Eni::id).doesNotContain(eni.id());

        manager.detachAndDelete(eni); // attachment and ENI both NotFound now
        assertThat(ec2.calls("DeleteNetworkInterface")).isEqualTo(2);
    }

    @Test
    void listsTheInstancesEnisAndLeavesNoManageOnesAlone() {
        Eni ours = manager.createAndAttach(NewEni.withIps(subnet, List.of(), 1), Set.of(0));
        Eni foreign = ec2.createNetworkInterface(new CreateEni(subnet, "theirs", List.of(), 0, 0,
                Map.of(Eni.NO_MANAGE_TAG, "true")));
        ec2.attachNetworkInterface(foreign.id(), instance, 2);

        assertThat(manager.nodeEnis()).extracting(Eni::id).contains(ours.id(), foreign.id()).hasSize(3);
        assertThat(manager.managedEnis()).extracting(Eni::id).contains(ours.id()).doesNotContain(foreign.id());
        assertThatThrownBy(() -> manager.detachAndDelete(describe(foreign.id()))).hasMessageContaining("no_manage");
        assertThat(describe(foreign.id()).isAttached()).isTrue();
    }

    @Test
    void refusesAnEniOrAddressesPastTheInstanceTypesLimitsWithoutCallingEc2() {
        Eni eni = manager.createAndAttach(NewEni.withIps(subnet, List.of(), 8), Set.of(0));
        EniManager capped = manager(new EniManagerSettings(Optional.empty(), Map.of(), 2));
        long before = ec2.totalCalls();

        assertThatThrownBy(() -> manager.createAndAttach(NewEni.withIps(subnet, List.of(), 1), Set.of(0, 1, 2)))
                .isInstanceOf(Ec2Failure.LimitExceeded.class).hasMessageContaining("m5.large allows 3 ENIs");
        assertThatThrownBy(() -> manager.assignIps(eni, 2))
                .isInstanceOf(Ec2Failure.LimitExceeded.class).hasMessageContaining("9 secondary IPs or prefixes");
        assertThatThrownBy(() -> capped.createAndAttach(NewEni.withIps(subnet, List.of(), 1), Set.of(0, 1)))
                .as("MAX_ENI=2").isInstanceOf(Ec2Failure.LimitExceeded.class);
        assertThat(ec2.totalCalls()).isEqualTo(before);
    }
}
