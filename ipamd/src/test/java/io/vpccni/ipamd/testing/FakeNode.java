package io.vpccni.ipamd.testing;

import io.vpccni.eni.fake.FakeEc2Api;
import io.vpccni.eni.fake.FakeInstanceMetadata;
import io.vpccni.eni.fake.Sleeper;
import io.vpccni.eni.lifecycle.EniManager;
import io.vpccni.eni.lifecycle.EniManagerSettings;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.subnet.SubnetSelector;
import io.vpccni.ipamd.datastore.AllocationKey;
import io.vpccni.ipamd.datastore.AssignResult;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.datastore.MutableClock;
import io.vpccni.ipamd.datastore.PodRef;
import io.vpccni.ipamd.datastore.ReleaseResult;
import io.vpccni.ipamd.pool.BoundPods;
import io.vpccni.ipamd.pool.EniNetworking;
import io.vpccni.ipamd.pool.EniPlacement;
import io.vpccni.ipamd.pool.NodeEni;
import io.vpccni.ipamd.pool.NodeEnis;
import io.vpccni.ipamd.pool.PoolEvents;
import io.vpccni.ipamd.pool.PoolMaintainer;
import io.vpccni.ipamd.reconcile.EniSync;
import io.vpccni.ipamd.warmpool.NodeCondition;
import io.vpccni.ipamd.warmpool.NodeLimits;
import io.vpccni.ipamd.warmpool.PoolPlan;
import io.vpccni.ipamd.warmpool.PoolTargets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One node on the in-memory EC2, wired as the daemon wires it but without sockets, threads or a data plane: an
 * instance with its primary ENI in a subnet of its own, instance metadata answering from the fake, the datastore,
 * the ENI lifecycle, the start-up ENI sync and the pool maintainer, on a clock that moves only when told.
 * {@link #restart()} builds a new daemon side on the same EC2, as a process restart would.
 */
public final class FakeNode {

    public static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    public static final Duration COOLDOWN = Duration.ofSeconds(30);

    public final MutableClock clock = new MutableClock(T0);
    public final FakeEc2Api ec2 = new FakeEc2Api("10.20.0.0/16", clock, Sleeper.REAL, 1);
    public final String subnetId;
    public final String instanceId;
    public final FakeInstanceMetadata metadata;
    public final InstanceLimits limits;
    private final PoolTargets targets;
    private final Set<NodeCondition> conditions = EnumSet.noneOf(NodeCondition.class);

    public Datastore datastore;
    public NodeEnis enis;
    public EniManager eniManager;
    public EniSync sync;
    public PoolMaintainer maintainer;
    /** Pods bound to the node whose ADD has not come, as the maintainer reads them each tick (WARM_POOL_FOR_BOUND_PODS). */
    public volatile int boundNotAdded;
    /** What the start-up sync took over from EC2. */
    public EniSync.Changes startup;

    public FakeNode(String instanceType, String subnetCidr, PoolTargets targets) {
        this.subnetId = ec2.createSubnet(subnetCidr);
        this.instanceId = ec2.runInstance(subnetId, instanceType);
        this.metadata = ec2.instanceMetadata(instanceId);
        this.limits = ec2.describeInstanceType(instanceType).orElseThrow().withMaxEni(targets.maxEni());
        this.targets = targets;
        start();
    }

    /** A new datastore, ENI view and maintainer that learn the node from EC2, as a restarted daemon does. */
    public void restart() {
        start();
    }

    private void start() {
        datastore = new Datastore(clock, COOLDOWN);
        enis = new NodeEnis();
        eniManager = new EniManager(ec2, metadata.identity(), limits, EniManagerSettings.defaults(), clock,
                new EniManager.DeleteRetry(3, Duration.ofMillis(1), Duration.ofMillis(1)));
        sync = new EniSync(datastore, enis, EniNetworking.NONE, !targets.customNetworking(), clock);
        startup = syncWithEc2();
        NodeEni primary = enis.all().stream().filter(NodeEni::primary).findFirst().orElseThrow();
        EniPlacement placement = EniPlacement.primaryOrDiscovered(new SubnetSelector(ec2), primary.eni().subnetId(),
                ec2.vpcId(), FakeEc2Api.DEFAULT_ZONE, false, () -> primary.eni().securityGroupIds(), clock);
        NodeLimits nodeLimits = new NodeLimits(limits.maxEnis(), limits.ipv4PerEni(), enis.unmanagedCount(), 0,
                limits.maxPods(targets.prefixDelegation()));
        maintainer = new PoolMaintainer(datastore, eniManager, enis, targets, nodeLimits, placement,
                EniNetworking.NONE, () -> Set.copyOf(conditions), clock, PoolEvents.NONE,
                () -> new BoundPods(boundNotAdded, OptionalInt.empty()));
    }

    public EniSync.Changes syncWithEc2() {
        return sync.sync(eniManager.nodeEnis(), metadata.enis());
    }

    public void setCondition(NodeCondition condition) {
        conditions.add(condition);
    }

    /** Ticks until a tick has nothing to do (at most 30); returns the ticks that acted. */
    public int settle() {
        for (int acted = 0; acted < 30; acted++) {
            if (maintainer.tick().isHold()) {
                return acted;
            }
        }
        throw new AssertionError("the pool did not settle in 30 ticks: " + datastore.stats());
    }

    public PoolPlan tick() {
        return maintainer.tick();
    }

    public AssignResult assign(String containerId) {
        return datastore.assign(key(containerId), new PodRef("default", "pod-" + containerId, "uid-" + containerId));
    }

    /** Adds pods one by one as kubelet would, letting the pool grow whenever it runs dry; fails if it cannot. */
    public void addPods(String prefix, int count) {
        for (int i = 0; i < count; i++) {
            String containerId = prefix + i;
            if (assign(containerId) instanceof AssignResult.NoFreeAddress) {
                settle();
                if (assign(containerId) instanceof AssignResult.NoFreeAddress empty) {
                    throw new AssertionError("no address for pod " + containerId + ": " + empty.reason());
                }
            }
        }
    }

    public ReleaseResult release(String containerId) {
        return datastore.release(key(containerId));
    }

    public static AllocationKey key(String containerId) {
        return new AllocationKey("aws-cni", containerId, "eth0");
    }

    /** The instance's ENIs as EC2 describes them now, by device index. */
    public List<Eni> ec2Enis() {
        return eniManager.nodeEnis().stream()
                .sorted(Comparator.comparingInt(Eni::deviceIndex)).toList();
    }

    /** Every secondary address and prefix EC2 holds for the instance's ENIs, as the datastore writes them. */
    public List<String> ec2Cidrs() {
        return ec2Enis().stream()
                .flatMap(e -> Stream.concat(e.secondaryIps().stream().map(ip -> ip + "/32"),
                        e.prefixes().stream()))
                .sorted().toList();
    }

    /** Every CIDR the datastore holds, as text. */
    public List<String> datastoreCidrs() {
        return datastore.stats().enis().stream().flatMap(e -> e.cidrs().stream())
                .map(c -> c.cidr().toString()).sorted().toList();
    }
}
