package io.vpccni.ipamd.app;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.plugin.Dispatcher;
import io.vpccni.cni.server.PluginServer;
import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.leak.LeakedEniCollector;
import io.vpccni.eni.lifecycle.EniManager;
import io.vpccni.eni.limits.InstanceLimitsSource;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.port.Ec2Api;
import io.vpccni.eni.port.InstanceMetadata;
import io.vpccni.eni.subnet.SubnetSelector;
import io.vpccni.ipamd.checkpoint.JsonFileCheckpointStore;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.datastore.DatastoreSnapshot;
import io.vpccni.ipamd.datastore.PoolStats;
import io.vpccni.ipamd.datastore.RestoreReport;
import io.vpccni.ipamd.datastore.ReleaseResult;
import io.vpccni.ipamd.introspect.IntrospectionServer;
import io.vpccni.ipamd.k8s.ClusterLink;
import io.vpccni.ipamd.introspect.NodeView;
import io.vpccni.ipamd.pool.BoundPods;
import io.vpccni.ipamd.pool.EniPlacement;
import io.vpccni.ipamd.pool.GrowBlocked;
import io.vpccni.ipamd.pool.NodeEni;
import io.vpccni.ipamd.pool.NodeEnis;
import io.vpccni.ipamd.pool.PoolMaintainer;
import io.vpccni.ipamd.policy.NodeNetworkPolicy;
import io.vpccni.ipamd.reconcile.EniSync;
import io.vpccni.ipamd.rpc.IpamHandler;
import io.vpccni.ipamd.state.PoolCheckpoint;
import io.vpccni.ipamd.warmpool.NodeLimits;
import io.vpccni.ipamd.warmpool.PoolPlan;
import io.vpccni.ipamd.warmpool.PoolTargets;
import io.vpccni.rpc.IpamServer;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The node daemon, composed: restore the pool from EC2 and the checkpoint, then serve the plugin while the pool
 * maintainer keeps the warm targets. Collaborators come in through the constructor so that tests run the real
 * daemon against the EC2 emulator and a test IMDS.
 */
public final class NodeDaemon implements AutoCloseable, NodeView {

    private static final System.Logger LOG = System.getLogger(NodeDaemon.class.getName());
    static final Duration POOL_PERIOD = Duration.ofSeconds(5);
    static final Duration ENI_SYNC_PERIOD = Duration.ofSeconds(60);
    static final Duration LEAK_SWEEP_PERIOD = Duration.ofMinutes(10);

    private final IpamdConfig config;
    private final InstanceMetadata metadata;
    private final Ec2Api ec2;
    private final Ec2CallStats ec2Calls;
    private final Clock clock;
    private final NodeNetworking networking;
    private final Optional<HostNamespace> pluginHost;
    private volatile PluginServer pluginServer;
    private volatile IpamServer ipamServer;
    private final Predicate<Allocation> stillWired;
    private final ClusterLink cluster;

    private final Datastore datastore;
    private final NodeEnis enis = new NodeEnis();
    private final DaemonCounters counters = new DaemonCounters();
    private final List<AutoCloseable> running = new ArrayList<>();
    private volatile boolean ready;
    private InstanceIdentity identity;
    private InstanceLimits limits;
    private PoolMaintainer maintainer;
    private SubnetSelector subnets;
    private volatile OptionalInt subnetFree = OptionalInt.empty();
    private volatile NodeNetworkPolicy networkPolicy;

    /**
     * @param stillWired whether a restored assignment's pod still has its host veth; assignments whose pod is
     *                   gone are dropped at start instead of leaking
     * @param pluginHost the host namespace in which the plugin server builds pods' data planes; empty for a daemon
     *                   without a data plane of its own (tests that run it in their JVM), which runs no plugin server
     * @param cluster    the Kubernetes side (node conditions, ENIConfig, stale pods, events); ClusterLink.NONE
     *                   without one
     */
    public NodeDaemon(IpamdConfig config, InstanceMetadata metadata, Ec2Api ec2, Ec2CallStats ec2Calls, Clock clock,
                      NodeNetworking networking, Predicate<Allocation> stillWired, Optional<HostNamespace> pluginHost,
                      ClusterLink cluster) {
        this.config = config;
        this.metadata = metadata;
        this.ec2 = ec2;
        this.ec2Calls = ec2Calls;
        this.clock = clock;
        this.networking = networking;
        this.stillWired = stillWired;
        this.pluginHost = pluginHost;
        this.cluster = cluster;
        this.datastore = new Datastore(clock, config.pool().ipCooldown());
    }

    /** Restores the pool, starts the maintainer and the plugin socket. Returns once the daemon serves. */
    public NodeDaemon start() throws IOException {
        identity = metadata.identity();
        limits = new InstanceLimitsSource(ec2).limitsFor(identity.instanceType(), config.pool().maxEni());
        networking.setUpNode(identity, metadata.enis());
        var eniSettings = new io.vpccni.eni.lifecycle.EniManagerSettings(config.eni().clusterName(),
                config.eni().additionalTags(), config.pool().maxEni());
        EniManager eniManager = new EniManager(ec2, identity, limits, eniSettings, clock,
                EniManager.DeleteRetry.defaults());
        subnets = new SubnetSelector(ec2);
        EniSync sync = new EniSync(datastore, enis, networking, !config.eni().customNetworking(), clock);
        EniSync.Changes initial = sync.sync(eniManager.nodeEnis(), metadata.enis());
        LOG.log(Level.INFO, "{0} ({1}): found {2} ENIs, {3} addresses", identity.instanceId(),
                identity.instanceType(), initial.enisAdded().size(), datastore.stats().total());

        PoolCheckpoint checkpoint = new PoolCheckpoint(datastore,
                new JsonFileCheckpointStore(config.daemon().backingStore()));

        NodeEni primary = enis.all().stream().filter(NodeEni::primary).findFirst().orElseThrow(() ->
                new IllegalStateException("the primary ENI of " + identity.instanceId() + " is not attached"));
        EniPlacement placement = config.eni().customNetworking()
                ? cluster.customNetworkingPlacement(subnets, identity.availabilityZone(),
                        () -> primary.eni().securityGroupIds())
                : EniPlacement.primaryOrDiscovered(subnets, primary.eni().subnetId(),
                        metadata.enis().getFirst().vpcId(), identity.availabilityZone(),
                        config.eni().subnetDiscovery(), () -> primary.eni().securityGroupIds(), clock);
        PoolTargets targets = PoolTargets.from(config);
        NodeLimits nodeLimits = new NodeLimits(limits.maxEnis(), limits.ipv4PerEni(), enis.unmanagedCount(), 0,
                limits.maxPods(targets.prefixDelegation()));
        boolean forBoundPods = config.pool().forBoundPods();
        maintainer = new PoolMaintainer(datastore, eniManager, enis, targets, nodeLimits,
                placement, networking, cluster::conditions, clock, cluster.poolEvents(), forBoundPods
                        ? () -> new BoundPods(cluster.podsBoundNotAdded(), subnetFree) : BoundPods.NONE);

        // The socket listens before the checkpoint is restored and refuses every request until then: a DEL that
        // found no socket would be answered by the plugin from prevResult alone, and the restore, which looked at
        // the pod's veth before the plugin removed it, would keep its address for ever.
        IpamHandler handler = new IpamHandler(datastore, maintainer, checkpoint, () -> ready,
                config.hostNetwork().podMtu(), config.pool().addWait(), counters);
        networkPolicy = NodeNetworkPolicy.create(config, identity.primaryIpv4());
        running.add(networkPolicy);
        ipamServer = IpamServer.start(config.daemon().socket(), networkPolicy.wrap(handler));
        startPluginServer();
        restore(checkpoint);
        checkpoint.persist();
        networkPolicy.start(datastore.allocations());
        ready = true;
        running.add(cluster);
        cluster.start(new ClusterLink.DaemonHooks(datastore::allocations, key -> releaseStale(checkpoint, key),
                stillWired, () -> maintainer.atCapacity() && datastore.stats().available() == 0,
                forBoundPods ? maintainer::wake : () -> {}));

        Thread pool = Thread.ofPlatform().name("pool-maintainer").daemon().start(() -> maintainer.runLoop(POOL_PERIOD));
        running.add(pool::interrupt);
        ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("ipamd-background").daemon().factory());
        running.add(background::shutdownNow);
        background.scheduleWithFixedDelay(() -> guarded("ENI sync", () -> {
            var seen = metadata.enis();
            sync.sync(eniManager.nodeEnis(), seen);
            networking.setUpNode(identity, seen); // the VPC may have gained CIDRs: SNAT must not cover them
        }), ENI_SYNC_PERIOD.toSeconds(),
                ENI_SYNC_PERIOD.toSeconds(), TimeUnit.SECONDS);
        background.scheduleWithFixedDelay(() -> guarded("subnet check", () -> subnetFree = subnets
                .subnet(primary.eni().subnetId()).map(s -> OptionalInt.of(s.availableAddresses()))
                .orElse(OptionalInt.empty())), 0, 60, TimeUnit.SECONDS);
        if (!config.eni().disableLeakedEniCleanup()) {
            LeakedEniCollector collector = new LeakedEniCollector(ec2, identity.instanceId(),
                    config.eni().clusterName(), LeakedEniCollector.DEFAULT_GRACE, clock);
            // Jitter spreads the sweeps of a fleet of nodes, which share the account's EC2 rate limits.
            long firstDelay = ThreadLocalRandom.current().nextLong(60, LEAK_SWEEP_PERIOD.toSeconds());
            background.scheduleWithFixedDelay(() -> guarded("leaked ENI sweep", collector::sweep), firstDelay,
                    LEAK_SWEEP_PERIOD.toSeconds(), TimeUnit.SECONDS);
        }
        maintainer.wake();

        running.add(IntrospectionServer.start(this, clock, IntrospectionServer.Listeners.from(config.daemon())));
        LOG.log(Level.INFO, "serving the plugin on {0}", config.daemon().socket());
        return this;
    }

    /** Pods' CNI invocations run here, through the shim (PluginServer); the daemon's namespace is the host's. */
    private void startPluginServer() throws IOException {
        if (pluginHost.isEmpty()) {
            return;
        }
        if (!config.daemon().pluginServer()) {
            LOG.log(Level.INFO, "plugin server off (VPC_CNI_PLUGIN_SERVER=false): each pod starts the standalone plugin");
            return;
        }
        Optional<String> missing = PluginServer.missingPrivilege();
        if (missing.isPresent()) {
            LOG.log(Level.WARNING, "plugin server not started: {0}; each pod starts the standalone plugin",
                    missing.get());
            return;
        }
        Path socket = PluginServer.besideIpamd(config.daemon().socket());
        pluginServer = PluginServer.start(socket, new Dispatcher(pluginHost.get()));
        LOG.log(Level.INFO, "running pods'' CNI invocations on {0}", socket);
    }

    private void restore(PoolCheckpoint checkpoint) {
        Optional<DatastoreSnapshot> saved = checkpoint.read();
        if (saved.isEmpty()) {
            return;
        }
        List<Allocation> wired = saved.get().allocations().stream().filter(stillWired).toList();
        saved.get().allocations().stream().filter(a -> !wired.contains(a)).forEach(a -> LOG.log(Level.INFO,
                "dropping {0} of container {1}: its pod's host veth is gone", a.ip(), a.key().containerId()));
        RestoreReport report = datastore.restore(new DatastoreSnapshot(wired, saved.get().cooling()));
        report.rejected().forEach(a -> LOG.log(Level.WARNING,
                "checkpoint entry {0} of container {1} is on no ENI of this node any more; dropped", a.ip(),
                a.key().containerId()));
        LOG.log(Level.INFO, "restored {0} assignments and {1} cooling addresses from {2}", report.restored().size(),
                report.coolingRestored(), config.daemon().backingStore());
    }

    /** A pod the cluster no longer has, whose veth is gone: its CNI DEL was lost. */
    private boolean releaseStale(PoolCheckpoint checkpoint, io.vpccni.ipamd.datastore.AllocationKey key) {
        if (datastore.release(key) instanceof ReleaseResult.Released) {
            checkpoint.persist();
            return true;
        }
        return false;
    }

    /**
     * Runs a periodic task so that nothing it throws cancels it: a ScheduledExecutorService silently stops
     * rescheduling a task that threw, Errors included.
     */
    private static void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (Throwable e) {
            LOG.log(Level.WARNING, what + " failed: " + e.getMessage(), e);
        }
    }

    public PoolMaintainer maintainer() {
        return maintainer;
    }

    @Override
    public void close() {
        // The sockets first, while the daemon still serves: what they are running finishes (a BoundedServer lets
        // it), and an ADD arriving afterwards finds neither socket and is held by the shim until the next daemon
        // serves it (an upgrade, a restart), instead of being refused as "starting" by a daemon on its way out.
        PluginServer plugin = pluginServer;
        pluginServer = null;
        if (plugin != null) {
            plugin.close();
        }
        IpamServer rpc = ipamServer;
        ipamServer = null;
        if (rpc != null) {
            rpc.close();
        }
        ready = false;
        for (AutoCloseable part : running.reversed()) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "stopping " + part + ": " + e.getMessage());
            }
        }
        running.clear();
    }

    @Override
    public String instanceId() {
        return identity.instanceId();
    }

    @Override
    public String instanceType() {
        return identity.instanceType();
    }

    @Override
    public InstanceLimits limits() {
        return limits;
    }

    @Override
    public IpamdConfig config() {
        return config;
    }

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public PoolStats poolStats() {
        return datastore.stats();
    }

    @Override
    public List<NodeEni> enis() {
        return enis.all();
    }

    @Override
    public List<Allocation> allocations() {
        return datastore.allocations();
    }

    @Override
    public Optional<GrowBlocked> lastGrowFailure() {
        return maintainer == null ? Optional.empty() : maintainer.lastGrowFailure();
    }

    @Override
    public boolean atCapacity() {
        return maintainer != null && maintainer.atCapacity();
    }

    @Override
    public Optional<PoolPlan> lastPlan() {
        return maintainer == null ? Optional.empty() : maintainer.lastPlan();
    }

    @Override
    public Optional<java.time.Instant> prefixFallbackUntil() {
        return maintainer == null ? Optional.empty() : maintainer.prefixFallbackUntil();
    }

    @Override
    public Ec2CallStats ec2Calls() {
        return ec2Calls;
    }

    @Override
    public OptionalLong pluginServerInvocations() {
        PluginServer server = pluginServer;
        return server == null ? OptionalLong.empty() : OptionalLong.of(server.served());
    }

    @Override
    public OptionalInt subnetFreeAddresses() {
        return subnetFree;
    }

    @Override
    public List<io.vpccni.ipamd.datastore.CoolingAddress> coolingAddresses() {
        return datastore.snapshot().cooling();
    }

    @Override
    public Optional<io.vpccni.ipamd.introspect.NetworkPolicyStatus> networkPolicy() {
        NodeNetworkPolicy policy = networkPolicy;
        return policy == null ? Optional.empty() : policy.status();
    }

    @Override
    public RequestStats requests() {
        return counters.snapshot();
    }
}
