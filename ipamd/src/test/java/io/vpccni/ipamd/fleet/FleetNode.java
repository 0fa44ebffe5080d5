package io.vpccni.ipamd.fleet;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.fake.FakeEc2Api;
import io.vpccni.eni.fake.FakeInstanceMetadata;
import io.vpccni.eni.guard.CallBudget;
import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.eni.lifecycle.EniManager;
import io.vpccni.eni.lifecycle.EniManagerSettings;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.port.Ec2Api;
import io.vpccni.eni.subnet.SubnetSelector;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.hostnet.LinkRetry;
import io.vpccni.eni.model.Subnet;
import io.vpccni.ipamd.pool.BoundPods;
import io.vpccni.ipamd.pool.EniNetworking;
import io.vpccni.ipamd.pool.EniPlacement;
import io.vpccni.ipamd.pool.NodeEni;
import io.vpccni.ipamd.pool.NodeEnis;
import io.vpccni.ipamd.pool.PoolEvents;
import io.vpccni.ipamd.pool.PoolMaintainer;
import io.vpccni.ipamd.reconcile.EniSync;
import io.vpccni.ipamd.state.PoolCheckpoint;
import io.vpccni.ipamd.warmpool.NodeLimits;
import io.vpccni.ipamd.warmpool.PoolAction;
import io.vpccni.ipamd.warmpool.PoolTargets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One simulated node: an instance on the account's EC2 and ipamd's control plane wired as {@code NodeDaemon} wires
 * it (the ENI manager behind the node's own {@link Ec2Guard}, the start-up ENI sync, the pool maintainer), run as
 * one process of the virtual time: start-up, then the maintainer's loop (a tick every 5 s or when an add finds the
 * pool empty), the ENI sync every 60 s and the subnet check every 60 s, as the daemon schedules them. The daemon
 * runs these on two threads; here they take turns on one, which the simulation documents as a difference.
 */
final class FleetNode {

    static final Duration POOL_PERIOD = Duration.ofSeconds(5);
    static final Duration ENI_SYNC_PERIOD = Duration.ofSeconds(60);
    static final Duration SUBNET_CHECK_PERIOD = Duration.ofSeconds(60);
    /** A daemon whose start-up failed (EC2 kept refusing) exits and is restarted by kubelet after about this long. */
    static final Duration RESTART_DELAY = Duration.ofSeconds(10);
    static final Duration COOLDOWN = Duration.ofSeconds(30);

    /** What the fleet is told about the node, and what the node's informer would see of its pods. */
    interface Listener {
        void ready(FleetNode node);

        void ticked(FleetNode node);

        /** Pods bound to the node whose ADD has not reached ipamd (WARM_POOL_FOR_BOUND_PODS). */
        int boundNotAdded(FleetNode node);
    }

    final String name;
    final String instanceId;
    final String subnetId;
    /** The running ipamd's; a restarted one builds its own from EC2 and the checkpoint. */
    Datastore datastore;
    /** The checkpoint file: it outlives a restart of ipamd, not the node. */
    private final MemoryCheckpointStore checkpointFile = new MemoryCheckpointStore();
    private final boolean forBoundPods;
    private final FakeEc2Api ec2;
    private final VirtualTime time;
    private final PoolTargets targets;
    private final boolean upstreamCalls;
    private final Ec2Guard.Settings guardSettings;
    /** Each start's share of the account's budget, by node name ({@link CallBudget#LOCAL} without one). */
    private final Function<String, CallBudget> budgets;
    private final Listener listener;
    /** EC2 requests the node's guard let out, retries included: summed over the fleet, EC2's own count. */
    final AtomicLong ec2Requests = new AtomicLong();
    PoolMaintainer maintainer;
    private PoolCheckpoint checkpoint;
    VirtualTime.Process process;
    Instant readyAt;
    /** Pool actions that EC2 refused, by action, operation and error code ("FreeEni DetachNetworkInterface RequestLimitExceeded"). */
    final Map<String, Long> failedActions = new TreeMap<>();
    /** Periodic ENI syncs that threw something other than an EC2 failure (the daemon logs those and goes on). */
    long syncFailures;
    String lastSyncFailure;
    /** The subnet's free addresses as the daemon's periodic subnet check last saw them. */
    private volatile OptionalInt subnetFree = OptionalInt.empty();
    /** Set to stop the running ipamd (a DaemonSet roll): it ends after the tick it is in. */
    private boolean stopping;
    /** Called once a stopped ipamd's process has ended. */
    private Runnable onStopped = () -> {};
    /** Times ipamd was started on this node, the first included. */
    int starts;
    /** EC2 requests the restarts' start-ups sent (the first start's not counted). */
    final AtomicLong restartRequests = new AtomicLong();

    FleetNode(String name, FakeEc2Api ec2, String subnetId, String instanceType, VirtualTime time,
              PoolTargets targets, boolean upstreamCalls, Ec2Guard.Settings guardSettings,
              Function<String, CallBudget> budgets, boolean forBoundPods, Listener listener) {
        this.budgets = budgets;
        this.forBoundPods = forBoundPods;
        this.name = name;
        this.ec2 = ec2;
        this.subnetId = subnetId;
        this.time = time;
        this.targets = targets;
        this.upstreamCalls = upstreamCalls;
        this.guardSettings = guardSettings;
        this.listener = listener;
        this.instanceId = ec2.runInstance(subnetId, instanceType);
        this.datastore = new Datastore(time.clock(), COOLDOWN); // empty until ipamd first runs
    }

    void start() {
        starts++;
        stopping = false;
        datastore = new Datastore(time.clock(), COOLDOWN);
        process = time.spawn(name + "#" + starts, this::run);
    }

    /**
     * Stops ipamd as the DaemonSet's roll does; {@code stopped} runs once its process has ended. Until the next
     * {@link #start}, the node is not ready: the shim holds ADDs and DELs for the next daemon.
     */
    void stop(Runnable stopped) {
        stopping = true;
        readyAt = null;
        onStopped = stopped;
        process.wake();
    }

    boolean ready() {
        return readyAt != null;
    }

    private void run() {
        boolean restart = starts > 1;
        Ec2Guard guard = new Ec2Guard(guardSettings, (operation, latency, failure) -> {
            ec2Requests.incrementAndGet();
            if (restart && readyAt == null) {
                restartRequests.incrementAndGet();
            }
        }, time, budgets.apply(name));
        Ec2Api api = new GuardedFakeEc2(ec2, guard, instanceId, upstreamCalls);
        FakeInstanceMetadata metadata = ec2.instanceMetadata(instanceId);
        EniSync sync;
        EniManager eniManager;
        while (true) {
            try {
                var identity = metadata.identity();
                InstanceLimits limits = api.describeInstanceType(identity.instanceType()).orElseThrow()
                        .withMaxEni(targets.maxEni());
                eniManager = new EniManager(api, identity, limits, EniManagerSettings.defaults(), time.clock(),
                        new EniManager.DeleteRetry(3, Duration.ofMillis(500), Duration.ofSeconds(2)));
                NodeEnis enis = new NodeEnis();
                sync = new EniSync(datastore, enis, linkWait(metadata), !targets.customNetworking(), time.clock());
                sync.sync(eniManager.nodeEnis(), metadata.enis());
                NodeEni primary = enis.all().stream().filter(NodeEni::primary).findFirst().orElseThrow();
                EniPlacement placement = EniPlacement.primaryOrDiscovered(new SubnetSelector(api),
                        primary.eni().subnetId(), ec2.vpcId(), FakeEc2Api.DEFAULT_ZONE, false,
                        () -> primary.eni().securityGroupIds(), time.clock());
                NodeLimits nodeLimits = new NodeLimits(limits.maxEnis(), limits.ipv4PerEni(), enis.unmanagedCount(),
                        0, limits.maxPods());
                maintainer = new PoolMaintainer(datastore, eniManager, enis, targets, nodeLimits, placement,
                        linkWait(metadata), Set::of, time.clock(), new PoolEvents() {
                            @Override
                            public void failed(PoolAction action, Ec2Failure failure) {
                                failedActions.merge(action.getClass().getSimpleName() + " " + failure.operation()
                                        + " " + failure.errorCode(), 1L, Long::sum);
                            }
                        }, forBoundPods ? () -> new BoundPods(listener.boundNotAdded(this), subnetFree)
                                : BoundPods.NONE);
                // As NodeDaemon: the ENIs from EC2 first, then the assignments of the checkpoint on them.
                checkpoint = new PoolCheckpoint(datastore, checkpointFile);
                checkpoint.read().ifPresent(datastore::restore);
                break;
            } catch (Ec2Failure failure) {
                pause(RESTART_DELAY);
            }
        }
        readyAt = time.instant();
        listener.ready(this);
        // As NodeDaemon.periodicStart: the first ENI sync 60 to 120 s after the start, the first subnet check within
        // 10 s, so that nodes started together (a DaemonSet roll) do not call EC2 in the same second every minute.
        Instant nextSync = time.instant().plus(ENI_SYNC_PERIOD).plusMillis((long) (time.random() * 60_000));
        Instant nextSubnetCheck = time.instant().plusMillis((long) (time.random() * 10_000));
        while (!Thread.currentThread().isInterrupted() && !stopping) {
            try {
                maintainer.takeWakeRequest(); // as runLoop: this tick answers the wakes that came before it
                maintainer.tick();
            } catch (RuntimeException e) {
                // PoolMaintainer.runLoop logs it and ticks again next period; so does the simulated daemon.
            }
            if (stopping) {
                break;
            }
            listener.ticked(this);
            try {
                if (!time.instant().isBefore(nextSubnetCheck)) {
                    nextSubnetCheck = time.instant().plus(SUBNET_CHECK_PERIOD);
                    subnetFree = api.describeSubnets(Ec2Api.SubnetQuery.byIds(List.of(subnetId))).stream()
                            .mapToInt(Subnet::availableAddresses).findFirst();
                }
                if (!time.instant().isBefore(nextSync)) {
                    nextSync = time.instant().plus(ENI_SYNC_PERIOD);
                    try {
                        sync.sync(eniManager.nodeEnis(), metadata.enis());
                    } catch (Ec2Failure failure) {
                        throw failure;
                    } catch (RuntimeException e) {
                        syncFailures++;
                        lastSyncFailure = e.toString();
                    }
                }
            } catch (Ec2Failure failure) {
                // the daemon logs it and tries again next period
            }
            if (maintainer.takeWakeRequest()) {
                continue; // a tick asked for the next at once (pods coming), as runLoop honours it
            }
            try {
                time.idle(POOL_PERIOD);
            } catch (InterruptedException e) {
                return;
            }
        }
        if (stopping) {
            // Every add and del persisted the checkpoint before its reply: what it holds now is what the file has.
            checkpoint.persist();
            onStopped.run();
        }
    }

    /** Pods' assignments in the checkpoint as the file would have them; for the harness's look at the end. */
    PoolCheckpoint checkpoint() {
        return checkpoint;
    }

    /**
     * The host side's part that takes time: a new ENI's addresses are handed out only once its link shows, which
     * the daemon looks for as aws-vpc-cni does ({@link LinkRetry#standard()}: at once, then every 3 s, 5 looks);
     * here the link shows when instance metadata lists the attachment (the fake's attachment latency).
     */
    private EniNetworking linkWait(FakeInstanceMetadata metadata) {
        LinkRetry retry = LinkRetry.standard();
        return new EniNetworking() {
            @Override
            public void attached(NodeEni eni) {
                for (int attempt = 1; metadata.enis().stream().noneMatch(m -> m.interfaceId().equals(eni.id()));
                     attempt++) {
                    if (attempt >= retry.attempts()) {
                        throw new IllegalStateException("no link for " + eni.id() + " after " + attempt + " looks");
                    }
                    pause(retry.interval());
                }
            }

            @Override
            public void detaching(NodeEni eni) {}
        };
    }

    private void pause(Duration duration) {
        try {
            time.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("shut down while starting", e);
        }
    }
}
