package io.vpccni.ipamd.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.fake.FakeEc2Api;
import io.vpccni.eni.fake.Sleeper;
import io.vpccni.eni.lifecycle.EniManager;
import io.vpccni.eni.lifecycle.EniManagerSettings;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.port.Ec2Api.EniQuery;
import io.vpccni.ipamd.datastore.AllocationKey;
import io.vpccni.ipamd.datastore.AssignResult;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
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
 * The pool maintainer against the in-memory EC2 ({@link FakeEc2Api}) whose /24 subnet is fragmented
 * ({@link FakeEc2Api#fragment}): another party holds one address of every /28, so EC2 answers InsufficientCidrBlocks
 * to every prefix request while single addresses are plentiful. Prefix delegation, WARM_PREFIX_TARGET=1, an m5.large (3 ENIs of 9 slots).
 */
class PoolMaintainerFallbackTest {

    static final Instant T0 = Instant.parse("2025-01-01T12:00:00Z");
    static final InstanceLimits M5_LARGE = new InstanceLimits("m5.large", 3, 10, 1, true);
    static final Ipv4Cidr SUBNET = Ipv4Cidr.parse("10.0.0.0/24");

    final MutableClock clock = new MutableClock(T0);
    final FakeEc2Api ec2 = new FakeEc2Api("10.0.0.0/16", clock, Sleeper.REAL, 1);
    final String subnetId = ec2.createSubnet(SUBNET.toString());
    final Datastore datastore = new Datastore(clock, Duration.ofSeconds(30));
    final NodeEnis enis = new NodeEnis();
    final Recorded events = new Recorded();
    final List<AllocationKey> pods = new ArrayList<>();
    String instanceId;
    String primaryId;

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

    /** Runs the m5.large in the subnet as it is now and builds the maintainer for it, as the daemon would. */
    private PoolMaintainer maintainer(InstanceLimits limits) {
        instanceId = ec2.runInstance(subnetId, limits.instanceType());
        Eni primary = ec2.describeNetworkInterfaces(EniQuery.attachedTo(instanceId)).getFirst();
        primaryId = primary.id();
        NodeEni node = new NodeEni(primary, SUBNET, true, T0.minus(Duration.ofHours(1)));
        enis.put(node);
        datastore.addEni(PoolMaintainer.infoOf(node));
        EniManager manager = new EniManager(ec2, ec2.instanceMetadata(instanceId).identity(), limits,
                EniManagerSettings.defaults(), clock, new EniManager.DeleteRetry(1, Duration.ofMillis(1),
                Duration.ofMillis(1)));
        return new PoolMaintainer(datastore, manager, enis, PoolTargets.warmPrefix(1),
                new NodeLimits(limits.maxEnis(), limits.ipv4PerEni(), 0, 0, 110),
                needed -> new EniPlacement.Placement(subnetId, SUBNET, List.of(ec2.defaultSecurityGroup())),
                EniNetworking.NONE, Set::of, clock, events);
    }

    /** Every address an ENI in the subnet holds, as a /32 or inside a /28. */
    private Set<Ipv4Address> heldAddresses() {
        Set<Ipv4Address> held = new HashSet<>();
        for (Eni eni : ec2.describeNetworkInterfaces(EniQuery.byIds(List.of()))) {
            if (eni.subnetId().equals(subnetId)) {
                held.add(Ipv4Address.parse(eni.primaryIp()));
                eni.secondaryIps().forEach(ip -> held.add(Ipv4Address.parse(ip)));
                for (String prefix : eni.prefixes()) {
                    Ipv4Cidr block = Ipv4Cidr.parse(prefix);
                    for (int i = 0; i < block.size(); i++) {
                        held.add(block.address(i));
                    }
                }
            }
        }
        return held;
    }

    private Eni eni(String id) {
        return ec2.describeNetworkInterfaces(EniQuery.byIds(List.of(id))).getFirst();
    }

    /** The node's ENI at the device index, as EC2 describes it. */
    private Eni device(int index) {
        return ec2.describeNetworkInterfaces(EniQuery.attachedTo(instanceId)).stream()
                .filter(e -> e.deviceIndex() == index).findFirst().orElseThrow();
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
    private void assertDatastoreMatches() {
        for (var stats : datastore.stats().enis()) {
            Eni eni = eni(stats.eni().eniId());
            Set<Ipv4Cidr> inEc2 = new HashSet<>();
            eni.secondaryIps().forEach(ip -> inEc2.add(Ipv4Cidr.single(Ipv4Address.parse(ip))));
            eni.prefixes().forEach(p -> inEc2.add(Ipv4Cidr.parse(p)));
            assertThat(stats.cidrs()).extracting(c -> c.cidr()).as(eni.id()).containsExactlyInAnyOrderElementsOf(inEc2);
        }
    }

    @Test
    void insufficientCidrBlocksIsNoGrowFailureAndTheNextTickAssignsSecondaryIps() {
        ec2.fragment(subnetId);
        PoolMaintainer maintainer = maintainer(M5_LARGE);

        PoolPlan refused = maintainer.tick();

        assertThat(only(refused)).isEqualTo(new PoolAction.AllocatePrefixes(primaryId, 1));
        assertThat(maintainer.lastGrowFailure()).as("pods are not told the pool cannot grow").isEmpty();
        assertThat(events.failed).as("no subnet-exhausted event").isEmpty();
        assertThat(maintainer.prefixFallbackUntil()).contains(T0.plusSeconds(120));

        clock.advance(Duration.ofSeconds(1));
        assertThat(only(maintainer.tick())).isEqualTo(new PoolAction.AllocateIps(primaryId, 9));
        assertThat(eni(primaryId).secondaryIps()).hasSize(9);
        assertThat(events.fallbacks).containsExactly(new PoolAction.AllocateIps(primaryId, 9));
        assertThat(events.retryTimes).containsExactly(T0.plusSeconds(120));

        assertThat(only(maintainer.tick())).as("the primary ENI has no slot left")
                .isEqualTo(new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 7));
        assertThat(datastore.stats().total()).isEqualTo(16);
        assertThat(datastore.stats().secondaryIps()).isEqualTo(16);
        assertDatastoreMatches();
        addPods(16);
        assertThat(ec2.calls("AssignPrivateIpAddresses")).as("one refused prefix, one /32 assign").isEqualTo(2);
    }

    @Test
    void theFallbackGrowDoesNotWaitForTheNextPeriod() throws Exception {
        ec2.fragment(subnetId);
        PoolMaintainer maintainer = maintainer(M5_LARGE);
        Thread loop = Thread.ofPlatform().daemon().start(() -> maintainer.runLoop(Duration.ofHours(1)));
        try {
            assertThat(maintainer.awaitTickAfter(1, Duration.ofSeconds(20))).as("a second tick within the hour")
                    .isTrue();
        } finally {
            loop.interrupt();
            loop.join(Duration.ofSeconds(20));
        }

        assertThat(events.applied).first().isEqualTo(new PoolAction.AllocateIps(primaryId, 9));
    }

    @Test
    void prefixesComeBackAfterTheBackOffAndTheFallbackIpsGoBackWhenUnused() {
        Ipv4Cidr third = new Ipv4Cidr(SUBNET.address(48), 28);
        List<String> wholeBlock = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            wholeBlock.add(third.address(i).toString());
        }
        // The other party holds all of 10.0.0.48/28, so nothing of the node's lands there before it goes.
        String blocker = ec2.occupy(subnetId, wholeBlock);
        ec2.fragment(subnetId);
        PoolMaintainer maintainer = maintainer(M5_LARGE);
        maintainer.tick();
        maintainer.tick();
        maintainer.tick();
        addPods(12);
        String second = device(1).id();

        ec2.deleteNetworkInterface(blocker);
        clock.advance(Duration.ofSeconds(121));
        assertThat(only(maintainer.tick())).as("the second ENI has 2 slots left next to its 7 /32s")
                .isEqualTo(new PoolAction.AllocatePrefixes(second, 1));
        assertThat(eni(second).prefixes()).containsExactly("10.0.0.48/28");
        assertThat(maintainer.prefixFallbackUntil()).as("a prefix assign ends the fallback").isEmpty();

        // DEL of pods on /32s of both ENIs, then their cooldown.
        for (int i = 0; i < 4; i++) {
            datastore.release(pods.removeLast());
        }
        clock.advance(Duration.ofSeconds(31));
        PoolPlan shrink = maintainer.tick();

        assertThat(shrink.actions()).as("8 unused /32s: 7 on the second ENI, 1 on the primary")
                .allSatisfy(a -> assertThat(a).isInstanceOf(PoolAction.ReleaseIps.class))
                .extracting(a -> ((PoolAction.ReleaseIps) a).ips().size()).containsExactly(7, 1);
        assertThat(eni(second).secondaryIps()).isEmpty();
        assertThat(eni(primaryId).secondaryIps()).as("the pods' /32s stay").hasSize(8);
        assertThat(eni(second).prefixes()).as("the warm prefix stays").hasSize(1);
        assertThat(datastore.stats().available()).isEqualTo(16);
        assertDatastoreMatches();
    }

    @Test
    void anEniWithPrefixesAndSecondaryIpsIsFullWhenItsSlotsAreUsedUp() {
        InstanceLimits oneEni = new InstanceLimits("m5.large", 1, 10, 1, true);
        PoolMaintainer maintainer = maintainer(oneEni);
        maintainer.tick();
        addPods(16);
        ec2.fragment(subnetId);

        maintainer.tick(); // InsufficientCidrBlocks
        assertThat(only(maintainer.tick())).isEqualTo(new PoolAction.AllocateIps(primaryId, 8));

        assertThat(eni(primaryId).prefixes()).hasSize(1);
        assertThat(maintainer.atCapacity()).as("1 prefix + 8 /32s = 9 slots").isTrue();
        assertDatastoreMatches();
    }

    @Test
    void aSubnetWithNoFreeAddressAtAllStillPausesGrowth() {
        ec2.fragment(subnetId);
        PoolMaintainer maintainer = maintainer(M5_LARGE);
        Set<Ipv4Address> held = heldAddresses();
        for (int block = 0; block < SUBNET.size() / 16; block++) {
            List<String> free = new ArrayList<>();
            for (int i = 16 * block; i < 16 * block + 16; i++) {
                boolean reserved = i < 4 || i == SUBNET.size() - 1;
                if (!reserved && !held.contains(SUBNET.address(i))) {
                    free.add(SUBNET.address(i).toString());
                }
            }
            if (!free.isEmpty()) {
                ec2.occupy(subnetId, free);
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
