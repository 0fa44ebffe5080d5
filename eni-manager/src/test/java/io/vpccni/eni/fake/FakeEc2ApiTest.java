package io.vpccni.eni.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.port.Ec2Api.CreateEni;
import io.vpccni.eni.port.Ec2Api.EniQuery;
import io.vpccni.eni.port.Ec2Api.SubnetQuery;
import io.vpccni.eni.port.InstanceMetadata.MetadataUnavailable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The in-memory EC2's test hooks and its instance metadata; EC2's semantics are the contract suite's. */
class FakeEc2ApiTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<Duration> slept = new ArrayList<>();
    private final FakeEc2Api ec2 = new FakeEc2Api("10.1.0.0/16", now::get, slept::add, 7);
    private final String subnet = ec2.createSubnet("10.1.0.0/24");
    private final String instance = ec2.runInstance(subnet, "t3.small");

    private Eni newEni() {
        return ec2.createNetworkInterface(new CreateEni(subnet, "test", List.of(), 1, 0, Map.of()));
    }

    @Test
    void anInjectedFaultFailsTheNextCallsOfItsOperationOnlyAndChangesNothing() {
        ec2.failNext("CreateNetworkInterface", 2, Fault.throttled());
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(this::newEni).isInstanceOfSatisfying(Ec2Failure.Throttled.class, f -> {
                assertThat(f.errorCode()).isEqualTo("RequestLimitExceeded");
                assertThat(f.operation()).isEqualTo("CreateNetworkInterface");
                assertThat(f.retryable()).isTrue();
            });
        }
        assertThat(ec2.describeNetworkInterfaces(EniQuery.byIds(List.of()))).hasSize(1); // the primary only
        assertThat(newEni().secondaryIps()).hasSize(1);
        assertThat(ec2.calls("CreateNetworkInterface")).isEqualTo(3);
    }

    @Test
    void theTokenBucketsRefuseAnApiOverItsBudgetPerApiAndRefillOnTheClock() {
        ec2.throttling(true);
        String eni = newEni().id();
        // Mutating APIs: 50 tokens each. CreateNetworkInterface already spent one on the ENI above.
        for (int i = 0; i < 49; i++) {
            ec2.createTags(eni, Map.of("n", "" + i));
        }
        ec2.createTags(eni, Map.of("last", "in budget"));
        assertThatThrownBy(() -> ec2.createTags(eni, Map.of("over", "budget")))
                .isInstanceOfSatisfying(Ec2Failure.Throttled.class,
                        f -> assertThat(f.errorCode()).isEqualTo("RequestLimitExceeded"));
        assertThat(ec2.describeNetworkInterfaces(EniQuery.byIds(List.of(eni))).getFirst().tags())
                .containsKey("last").doesNotContainKey("over"); // a refused call changed nothing
        assertThat(ec2.throttled("CreateTags")).isEqualTo(1);
        assertThat(ec2.calls("CreateTags")).isEqualTo(51);
        // Each API has its own bucket.
        assertThat(ec2.assignPrivateIpAddresses(eni, 1)).hasSize(1);
        // 5 tokens per second come back, on the fake's clock, and no more than the capacity.
        now.set(now.get().plusMillis(1_000));
        for (int i = 0; i < 5; i++) {
            ec2.createTags(eni, Map.of("refilled", "" + i));
        }
        assertThatThrownBy(() -> ec2.createTags(eni, Map.of("over", "again"))).isInstanceOf(Ec2Failure.Throttled.class);
        assertThat(ec2.totalThrottled()).isEqualTo(2);
        // Narrowed describes: 100 tokens; unfiltered ones a bucket of 50 of their own API.
        for (int i = 0; i < 100; i++) {
            ec2.describeSubnets(SubnetQuery.byIds(List.of(subnet)));
        }
        assertThatThrownBy(() -> ec2.describeSubnets(SubnetQuery.byIds(List.of(subnet))))
                .isInstanceOf(Ec2Failure.Throttled.class);
        ec2.throttling(false);
        ec2.createTags(eni, Map.of("off", "again"));
        assertThat(ec2.totalThrottled()).isEqualTo(3);
        assertThat(slept).isEmpty(); // throttling never waits
    }

    @Test
    void anUnfilteredDescribeDrawsOnTheSmallerBucket() {
        ec2.throttling(true);
        for (int i = 0; i < 50; i++) {
            ec2.describeNetworkInterfaces(EniQuery.byIds(List.of()));
        }
        assertThatThrownBy(() -> ec2.describeNetworkInterfaces(EniQuery.byIds(List.of())))
                .isInstanceOf(Ec2Failure.Throttled.class);
        assertThat(ec2.throttled("DescribeNetworkInterfaces")).isEqualTo(1);
    }

    @Test
    void realisticTimingWaitsThroughTheSleeperAndKeepsAttachmentsOutOfMetadataForThreeSeconds() {
        ec2.realisticTiming();
        Eni eni = newEni();
        String attachment = ec2.attachNetworkInterface(eni.id(), instance, 1);
        assertThat(attachment).startsWith("eni-attach-");
        assertThat(slept).containsExactly(Duration.ofMillis(400), Duration.ofMillis(150));
        assertThat(ec2.instanceMetadata(instance).enis()).hasSize(1);
        now.set(now.get().plusSeconds(3));
        assertThat(ec2.instanceMetadata(instance).enis()).hasSize(2);
        assertThat(ec2.describeInstance(instance)).containsExactly(0, 1);
        assertThat(ec2.calls("DescribeInstances")).isEqualTo(1);
    }

    @Test
    void faultsAreClassifiedAsTheProductionAdapterClassifiesEc2sAnswers() {
        ec2.failNext("DescribeSubnets", 1, Fault.unauthorized());
        ec2.failNext("DescribeSubnets", 1, Fault.internalError());
        ec2.failNext("DescribeSubnets", 1, Fault.connectionFailure());
        ec2.failNext("DescribeSubnets", 1, Fault.subnetFull());
        ec2.failNext("DescribeSubnets", 1, new Fault.ServiceError("InvalidSubnetID.NotFound", 400, "gone"));
        List<Class<?>> seen = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            try {
                ec2.describeSubnets(SubnetQuery.byIds(List.of(subnet)));
            } catch (Ec2Failure failure) {
                seen.add(failure.getClass());
            }
        }
        assertThat(seen).containsExactly(Ec2Failure.PermissionDenied.class, Ec2Failure.Unavailable.class,
                Ec2Failure.Unavailable.class, Ec2Failure.SubnetFull.class, Ec2Failure.NotFound.class);
    }

    @Test
    void aDelayIsWaitedOutThroughTheSleeperOnEachCallOfItsOperation() {
        ec2.delay("AssignPrivateIpAddresses", Duration.ofMillis(300));
        Eni eni = newEni();
        ec2.assignPrivateIpAddresses(eni.id(), 1);
        ec2.assignIpv4Prefixes(eni.id(), 1);
        assertThat(slept).containsExactly(Duration.ofMillis(300), Duration.ofMillis(300));
        ec2.delay("AssignPrivateIpAddresses", Duration.ZERO);
        ec2.assignPrivateIpAddresses(eni.id(), 1);
        assertThat(slept).hasSize(2);
    }

    @Test
    void anUnknownOperationOrABadHookIsRefusedByName() {
        assertThatThrownBy(() -> ec2.failNext("CreateNetworkInterfaces", 1, Fault.throttled()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CreateNetworkInterfaces");
        assertThatThrownBy(() -> ec2.delay("AttachNetworkInterface", Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> ec2.failNext("AttachNetworkInterface", 0, Fault.throttled()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThat(ec2.totalCalls()).isZero();
    }

    @Test
    void instanceMetadataShowsAnEniOnceItsAttachmentLatencyHasPassed() {
        FakeInstanceMetadata imds = ec2.instanceMetadata(instance);
        assertThat(imds.identity().instanceType()).isEqualTo("t3.small");
        assertThat(imds.enis()).singleElement().satisfies(primary -> {
            assertThat(primary.deviceNumber()).isZero();
            assertThat(primary.mac()).isEqualTo(imds.identity().primaryMac());
            assertThat(primary.subnetIpv4CidrBlock()).isEqualTo("10.1.0.0/24");
        });
        ec2.attachmentLatency(Duration.ofSeconds(3));
        Eni eni = ec2.createNetworkInterface(new CreateEni(subnet, "test", List.of(), 0, 2, Map.of()));
        ec2.attachNetworkInterface(eni.id(), instance, 1);
        assertThat(imds.enis()).hasSize(1);
        now.set(now.get().plusSeconds(3));
        EniMetadata seen = imds.enis().get(1);
        assertThat(seen.interfaceId()).isEqualTo(eni.id());
        assertThat(seen.mac()).isEqualTo(eni.mac());
        assertThat(seen.localIpv4s()).containsExactly(eni.primaryIp());
        assertThat(seen.ipv4Prefixes()).containsExactlyInAnyOrderElementsOf(eni.prefixes());
        ec2.terminate(instance);
        assertThatThrownBy(imds::enis).isInstanceOf(MetadataUnavailable.class);
    }

    @Test
    void describeInstanceTypeAnswersTheTypesLimitsAndNothingForAnUnknownType() {
        assertThat(ec2.describeInstanceType("m5.xlarge")).hasValueSatisfying(limits -> {
            assertThat(limits.maxEnis()).isEqualTo(4);
            assertThat(limits.ipv4PerEni()).isEqualTo(15);
            assertThat(limits.maxPods()).isEqualTo(58);
        });
        assertThat(ec2.describeInstanceType("t3.small").orElseThrow().maxPods()).isEqualTo(11);
        assertThat(ec2.describeInstanceType("t3.medium").orElseThrow().maxPods()).isEqualTo(17);
        assertThat(ec2.describeInstanceType("c5.large").orElseThrow().maxPods()).isEqualTo(29);
        assertThat(ec2.describeInstanceType("x9.huge")).isEmpty();
    }

    @Test
    void theInstancesPrimaryEniCannotBeDetached() {
        Eni primary = ec2.describeNetworkInterfaces(EniQuery.attachedTo(instance)).getFirst();
        assertThatThrownBy(() -> ec2.detachNetworkInterface(primary.attachmentId().orElseThrow(), false))
                .isInstanceOfSatisfying(Ec2Failure.Other.class,
                        f -> assertThat(f.errorCode()).isEqualTo("OperationNotPermitted"));
    }

    @Test
    void anotherPartysExplicitAddressesAreRefusedAsEc2RefusesThemAndFragmentTheSubnet() {
        String primary = ec2.describeNetworkInterfaces(EniQuery.attachedTo(instance)).getFirst().primaryIp();
        assertThatThrownBy(() -> ec2.occupy(subnet, List.of(primary))).isInstanceOfSatisfying(Ec2Failure.class,
                f -> assertThat(f.errorCode()).isEqualTo("InvalidIPAddress.InUse"));
        for (String refused : List.of("10.1.0.1", "10.1.0.255", "10.1.1.7")) {
            assertThatThrownBy(() -> ec2.occupy(subnet, List.of(refused))).as(refused)
                    .isInstanceOfSatisfying(Ec2Failure.class,
                            f -> assertThat(f.errorCode()).isEqualTo("InvalidParameterValue"));
        }
        int free = ec2.describeSubnets(SubnetQuery.byIds(List.of(subnet))).getFirst().availableAddresses();

        List<String> blockers = ec2.fragment(subnet).stream()
                .map(id -> ec2.describeNetworkInterfaces(EniQuery.byIds(List.of(id))).getFirst().primaryIp())
                .toList();
        String eni = newEni().id();

        assertThat(ec2.describeSubnets(SubnetQuery.byIds(List.of(subnet))).getFirst().availableAddresses())
                .isEqualTo(free - blockers.size() - 2);
        int primaryBlock = Integer.parseInt(primary.substring(primary.lastIndexOf('.') + 1)) / 16;
        int wasFree = primaryBlock == 0 || primaryBlock == 15 ? 14 : 13; // the first and last hold reserved ones
        assertThat(blockers).as("address 5 of each /28 that was wholly free").hasSize(wasFree)
                .allMatch(ip -> Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1)) % 16 == 5);
        assertThatThrownBy(() -> ec2.assignIpv4Prefixes(eni, 1)).as("no aligned /28 is wholly free")
                .isInstanceOfSatisfying(Ec2Failure.SubnetFull.class,
                        f -> assertThat(f.errorCode()).isEqualTo("InsufficientCidrBlocks"));
        assertThat(ec2.assignPrivateIpAddresses(eni, 1)).singleElement().isNotIn(blockers);
        assertThatThrownBy(() -> ec2.occupy(subnet, List.of(blockers.getFirst()))).as("each address once")
                .isInstanceOfSatisfying(Ec2Failure.class,
                        f -> assertThat(f.errorCode()).isEqualTo("InvalidIPAddress.InUse"));
    }

    @Test
    void deletingAnotherPartysEniFreesItsAddresses() {
        String blockerEni = ec2.occupy(subnet, List.of("10.1.0.200", "10.1.0.201"));
        assertThat(ec2.describeNetworkInterfaces(EniQuery.byIds(List.of(blockerEni)))).singleElement()
                .satisfies(e -> {
                    assertThat(e.primaryIp()).isEqualTo("10.1.0.200");
                    assertThat(e.secondaryIps()).containsExactly("10.1.0.201");
                    assertThat(e.status()).isEqualTo("available");
                });

        ec2.deleteNetworkInterface(blockerEni);

        assertThat(ec2.occupy(subnet, List.of("10.1.0.201", "10.1.0.200"))).isNotEqualTo(blockerEni);
    }

    @Test
    void aSubnetOutsideTheVpcOrOverlappingAnotherIsRefused() {
        assertThatThrownBy(() -> ec2.createSubnet("10.2.0.0/24")).hasMessageContaining("10.1.0.0/16");
        assertThatThrownBy(() -> ec2.createSubnet("10.1.0.128/25")).hasMessageContaining(subnet);
    }
}
