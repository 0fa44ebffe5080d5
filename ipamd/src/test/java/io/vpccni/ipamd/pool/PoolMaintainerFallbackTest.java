package io.vpccni.ipamd.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.lifecycle.EniManager;
import io.vpccni.eni.lifecycle.EniSettings;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.ipamd.datastore.AllocationKey;
import io.vpccni.ipamd.datastore.AssignResult;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.datastore.Ipv4Address;
import io.vpccni.ipamd.datastore.Ipv4Cidr;
import io.vpccni.ipamd.datastore.MutableClock;
import io.vpccni.ipamd.datastore.PodRef;
import io.vpccni.ipamd.warmpool.NodeLimits;
import io.vpccni.ipamd.warmpool.PoolAction;
import io.vpccni.ipamd.warmpool.PoolPlan;
import io.vpccni.ipamd.warmpool.PoolTargets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The pool maintainer against an in-memory EC2 ({@link SubnetEc2}) whose /24 subnet is fragmented: one address of
 * every /28 belongs to someone else, so EC2 answers InsufficientCidrBlocks to every prefix request while single
 * addresses are plentiful. Prefix delegation, WARM_PREFIX_TARGET=1, an m5.large (3 ENIs of 9 slots).
 */
class PoolMaintainerFallbackTest {

    static final Instant T0 = Instant.parse("2025-01-01T12:00:00Z");
    static final InstanceLimits M5_LARGE = new InstanceLimits("m5.large", 3, 10, 1, true);

    final MutableClock clock = new MutableClock(T0);
    final Datastore datastore = new Datastore(clock, Duration.ofSeconds(30));
    final NodeEnis enis = new NodeEnis();
    final Recorded events = new Recorded();
    final List<AllocationKey> pods = new ArrayList<>();

    /** Everything the maintainer told its listener, in order. */
    static final class Recorded implements PoolEvents {
        final List<PoolAction> applied = new ArrayList<>();
        final List<Ec2Failure> failed = new ArrayList<>();
        final List<PoolAction> fallbacks = new ArrayList<>();
        final List<Instant> retryTimes = new ArrayList<>();

        @Override
        public void applied(PoolAction action) {
            applied.add(action);
        }

        @Override
        public void failed(PoolAction action, Ec2Failure failure) {
            failed.add(failure);
        }

        @Override
        public void maintenanceFailed(Throwable error) {
            throw new AssertionError("maintenance failed", error);
        }

        @Override
        public void fellBackToSecondaryIps(PoolAction grow, Instant prefixesRetriedAt) {
            fallbacks.add(grow);
            retryTimes.add(prefixesRetriedAt);
        }
    }

    private PoolMaintainer maintainer(SubnetEc2 ec2, InstanceLimits limits) {
        Eni primary = ec2.primaryEni();
        NodeEni node = new NodeEni(primary, ec2.subnet, true, T0.minus(Duration.ofHours(1)));
        enis.put(node);
        datastore.addEni(PoolMaintainer.infoOf(node));
        EniManager manager = new EniManager(ec2, new InstanceIdentity(SubnetEc2.INSTANCE_ID, limits.instanceType(),
                "us-east-1a", "us-east-1", primary.mac(), primary.primaryIp()), limits, EniSettings.defaults(), clock,
                new EniManager.DeleteRetry(1, Duration.ofMillis(1), Duration.ofMillis(1)));
        return new PoolMaintainer(datastore, manager, enis, PoolTargets.warmPrefix(1),
                new NodeLimits(limits.maxEnis(), limits.ipv4PerEni(), 0, 0, 110),
                needed -> new EniPlacement.Placement(SubnetEc2.SUBNET_ID, ec2.subnet, List.of("sg-1")),
                EniNetworking.NONE, Set::of, clock, events);
    }

    /** Someone else holds address 5 of every /28: no aligned /28 is free, 13 of every 16 addresses are. */
    private static SubnetEc2 fragmentedSubnet() {
        SubnetEc2 ec2 = new SubnetEc2(Ipv4Cidr.parse("10.0.0.0/24"), M5_LARGE);
        for (int block = 1; block < 15; block++) {
            ec2.occupy(blocker(block));
        }
        return ec2;
    }

    private static Ipv4Address blocker(int block) {
        return Ipv4Address.parse("10.0.0.0").plus(16 * block + 5);
    }

    private void addPods(int count) {
        for (int i = 0; i < count; i++) {
            AllocationKey key = new AllocationKey("aws-cni", "pod-" + pods.size(), "eth0");
            assertThat(datastore.assign(key, new PodRef("default", key.containerId(), "")))
                    .isInstanceOf(AssignResult.Assigned.class);
            pods.add(key);
        }
    }

    private static PoolAction only(PoolPlan plan) {
        assertThat(plan.actions()).hasSize(1);
        return plan.actions().getFirst();
    }

    /** The datastore holds exactly the /32s and /28s EC2 reports on each ENI. */
    private void assertDatastoreMatches(SubnetEc2 ec2) {
        for (var stats : datastore.stats().enis()) {
            Eni eni = ec2.eni(stats.eni().eniId());
            Set<Ipv4Cidr> inEc2 = new HashSet<>();
            eni.secondaryIps().forEach(ip -> inEc2.add(Ipv4Cidr.single(Ipv4Address.parse(ip))));
            eni.prefixes().forEach(p -> inEc2.add(Ipv4Cidr.parse(p)));
            assertThat(stats.cidrs()).extracting(c -> c.cidr()).as(eni.id()).containsExactlyInAnyOrderElementsOf(inEc2);
        }
    }

    @Test
    void insufficientCidrBlocksIsNoGrowFailureAndTheNextTickAssignsSecondaryIps() {
        SubnetEc2 ec2 = fragmentedSubnet();
        PoolMaintainer maintainer = maintainer(ec2, M5_LARGE);

        PoolPlan refused = maintainer.tick();

        assertThat(only(refused)).isEqualTo(new PoolAction.AllocatePrefixes("eni-0", 1));
        assertThat(maintainer.lastGrowFailure()).as("pods are not told the pool cannot grow").isEmpty();
        assertThat(events.failed).as("no subnet-exhausted event").isEmpty();
        assertThat(maintainer.prefixFallbackUntil()).contains(T0.plusSeconds(120));

        clock.advance(Duration.ofSeconds(1));
        assertThat(only(maintainer.tick())).isEqualTo(new PoolAction.AllocateIps("eni-0", 9));
        assertThat(ec2.eni("eni-0").secondaryIps()).hasSize(9);
        assertThat(events.fallbacks).containsExactly(new PoolAction.AllocateIps("eni-0", 9));
        assertThat(events.retryTimes).containsExactly(T0.plusSeconds(120));

        assertThat(only(maintainer.tick())).as("eni-0 has no slot left")
                .isEqualTo(new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 7));
        assertThat(datastore.stats().total()).isEqualTo(16);
        assertThat(datastore.stats().secondaryIps()).isEqualTo(16);
        assertDatastoreMatches(ec2);
        addPods(16);
        assertThat(ec2.calls("AssignPrivateIpAddresses")).as("one refused prefix, one /32 assign").isEqualTo(2);
    }

    @Test
    void theFallbackGrowDoesNotWaitForTheNextPeriod() throws Exception {
        SubnetEc2 ec2 = fragmentedSubnet();
        PoolMaintainer maintainer = maintainer(ec2, M5_LARGE);
        Thread loop = Thread.ofPlatform().daemon().start(() -> maintainer.runLoop(Duration.ofHours(1)));
        try {
            assertThat(maintainer.awaitTickAfter(1, Duration.ofSeconds(20))).as("a second tick within the hour")
                    .isTrue();
        } finally {
            loop.interrupt();
            loop.join(Duration.ofSeconds(20));
        }

        assertThat(events.applied).first().isEqualTo(new PoolAction.AllocateIps("eni-0", 9));
    }

    @Test
    void prefixesComeBackAfterTheBackOffAndTheFallbackIpsGoBackWhenUnused() {
        SubnetEc2 ec2 = fragmentedSubnet();
        PoolMaintainer maintainer = maintainer(ec2, M5_LARGE);
        maintainer.tick();
        maintainer.tick();
        maintainer.tick();
        addPods(12);

        ec2.vacate(blocker(3));
        clock.advance(Duration.ofSeconds(121));
        assertThat(only(maintainer.tick())).as("eni-1 has 2 slots left next to its 7 /32s")
                .isEqualTo(new PoolAction.AllocatePrefixes("eni-1", 1));
        assertThat(ec2.eni("eni-1").prefixes()).containsExactly("10.0.0.48/28");
        assertThat(maintainer.prefixFallbackUntil()).as("a prefix assign ends the fallback").isEmpty();

        // DEL of pods on /32s of both ENIs, then their cooldown.
        for (int i = 0; i < 4; i++) {
            datastore.release(pods.removeLast());
        }
        clock.advance(Duration.ofSeconds(31));
        PoolPlan shrink = maintainer.tick();

        assertThat(shrink.actions()).as("8 unused /32s: 7 on eni-1, 1 on eni-0")
                .allSatisfy(a -> assertThat(a).isInstanceOf(PoolAction.ReleaseIps.class))
                .extracting(a -> ((PoolAction.ReleaseIps) a).ips().size()).containsExactly(7, 1);
        assertThat(ec2.eni("eni-1").secondaryIps()).isEmpty();
        assertThat(ec2.eni("eni-0").secondaryIps()).as("the pods' /32s stay").hasSize(8);
        assertThat(ec2.eni("eni-1").prefixes()).as("the warm prefix stays").hasSize(1);
        assertThat(datastore.stats().available()).isEqualTo(16);
        assertDatastoreMatches(ec2);
    }

    @Test
    void anEniWithPrefixesAndSecondaryIpsIsFullWhenItsSlotsAreUsedUp() {
        InstanceLimits oneEni = new InstanceLimits("m5.large", 1, 10, 1, true);
        SubnetEc2 ec2 = new SubnetEc2(Ipv4Cidr.parse("10.0.0.0/24"), oneEni);
        PoolMaintainer maintainer = maintainer(ec2, oneEni);
        maintainer.tick();
        addPods(16);
        for (int block = 2; block < 15; block++) {
            ec2.occupy(blocker(block));
        }

        maintainer.tick(); // InsufficientCidrBlocks
        assertThat(only(maintainer.tick())).isEqualTo(new PoolAction.AllocateIps("eni-0", 8));

        assertThat(ec2.eni("eni-0").prefixes()).hasSize(1);
        assertThat(maintainer.atCapacity()).as("1 prefix + 8 /32s = 9 slots").isTrue();
        assertDatastoreMatches(ec2);
    }

    @Test
    void aSubnetWithNoFreeAddressAtAllStillPausesGrowth() {
        SubnetEc2 ec2 = fragmentedSubnet();
        PoolMaintainer maintainer = maintainer(ec2, M5_LARGE);
        for (int i = 5; i < 255; i++) {
            boolean blocker = i % 16 == 5 && i / 16 >= 1 && i / 16 < 15;
            if (!blocker) {
                ec2.occupy(Ipv4Address.parse("10.0.0.0").plus(i));
            }
        }

        maintainer.tick(); // InsufficientCidrBlocks: fallback
        PoolPlan single = maintainer.tick();
        PoolPlan paused = maintainer.tick();

        assertThat(only(single)).isInstanceOf(PoolAction.AllocateIps.class);
        assertThat(events.failed).singleElement()
                .satisfies(f -> assertThat(f.errorCode()).isEqualTo("InsufficientFreeAddressesInSubnet"));
        assertThat(maintainer.lastGrowFailure()).hasValueSatisfying(
                b -> assertThat(b.kind()).isEqualTo(GrowBlocked.Kind.SUBNET_FULL));
        assertThat(only(paused)).isInstanceOfSatisfying(PoolAction.Hold.class,
                h -> assertThat(h.reason()).contains("insufficient addresses"));
    }
}
