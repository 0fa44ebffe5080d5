package io.vpccni.ipamd.app;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.plugin.Dispatcher;
import io.vpccni.cni.server.PluginServer;
import io.vpccni.eni.aws.AwsEc2Api;
import io.vpccni.eni.aws.Ec2Clients;
import io.vpccni.eni.guard.CallBudget;
import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.eni.imds.ImdsInstanceMetadata;
import io.vpccni.eni.leak.LeakedEniCollector;
import io.vpccni.eni.lifecycle.EniManager;
import io.vpccni.eni.lifecycle.EniManagerSettings;
import io.vpccni.eni.limits.InstanceLimitsSource;
import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.port.Ec2Api;
import io.vpccni.eni.port.InstanceMetadata;
import io.vpccni.eni.subnet.SubnetSelector;
import io.vpccni.ipamd.checkpoint.JsonFileCheckpointStore;
import io.vpccni.ipamd.config.InvalidConfigurationException;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.AllocationKey;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.datastore.DatastoreSnapshot;
import io.vpccni.ipamd.datastore.ReleaseResult;
import io.vpccni.ipamd.datastore.RestoreReport;
import io.vpccni.ipamd.hostnet.AwsNodeNftTable;
import io.vpccni.ipamd.hostnet.CommandRunner;
import io.vpccni.ipamd.hostnet.IptablesRestore;
import io.vpccni.ipamd.hostnet.LinkRetry;
import io.vpccni.ipamd.hostnet.ProcSys;
import io.vpccni.ipamd.hostnet.SnatReconciler;
import io.vpccni.ipamd.introspect.IntrospectionServer;
import io.vpccni.ipamd.introspect.NodeView;
import io.vpccni.ipamd.k8s.ClusterLink;
import io.vpccni.ipamd.k8s.KubernetesLink;
import io.vpccni.ipamd.policy.NodeNetworkPolicy;
import io.vpccni.ipamd.pool.BoundPods;
import io.vpccni.ipamd.pool.EniPlacement;
import io.vpccni.ipamd.pool.NodeEni;
import io.vpccni.ipamd.pool.NodeEnis;
import io.vpccni.ipamd.pool.PoolMaintainer;
import io.vpccni.ipamd.reconcile.EniSync;
import io.vpccni.ipamd.rpc.IpamHandler;
import io.vpccni.ipamd.state.PoolCheckpoint;
import io.vpccni.ipamd.warmpool.NodeLimits;
import io.vpccni.ipamd.warmpool.PoolTargets;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.socket.KernelNetlink;
import io.vpccni.rpc.transport.IpamServer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * ipamd's composition root: every part of the running daemon is built here. {@link #fromEnvironment} builds the
 * outside world from the process (instance metadata, the AWS SDK's EC2 client, the Kubernetes link, the kernel's
 * host side) for {@link Main}; tests pass theirs to the constructor. {@link #start()} then runs the start-up steps
 * of docs/architecture.md, "ipamd's start-up", in that order (the order is what makes restarts safe), each a method
 * below, logged with its duration as it completes. What the endpoints read is the {@link #view() read model}.
 */
public final class NodeDaemon implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NodeDaemon.class.getName());
    static final Duration POOL_PERIOD = Duration.ofSeconds(5);
    static final Duration ENI_SYNC_PERIOD = Duration.ofSeconds(60);
    static final Duration LEAK_SWEEP_PERIOD = Duration.ofMinutes(10);
    static final Duration SUBNET_CHECK_PERIOD = Duration.ofSeconds(60);
    /** The first subnet check within this of the start: the free count matters from the first pods on. */
    static final Duration SUBNET_CHECK_JITTER = Duration.ofSeconds(10);
    /**
     * How long a starting daemon waits for its instance metadata before it gives up: a service restarting or a link
     * coming up is over within it, and the DaemonSet restarts the pod with a back-off for anything longer.
     */
    static final Duration METADATA_PATIENCE = Duration.ofSeconds(60);

    private final IpamdConfig config;
    private final InstanceMetadata metadata;
    private final Ec2Api ec2;
    private final Clock clock;
    private final NodeNetworking networking;
    private final Predicate<Allocation> stillWired;
    private final Optional<HostNamespace> pluginHost;
    private final ClusterLink cluster;

    private final Datastore datastore;
    private final NodeEnis enis = new NodeEnis();
    private final DaemonCounters counters = new DaemonCounters();
    private final NodeReadModel view;
    private NodeNetworkPolicy networkPolicy;
    private final List<AutoCloseable> running = new ArrayList<>();
    private volatile PluginServer pluginServer;
    private volatile IpamServer ipamServer;
    private volatile PoolMaintainer maintainer;
    private volatile IpamHandler.Phase phase = IpamHandler.Phase.STARTING;

    /** What starting from the process environment came to. */
    public sealed interface Start {
        /** The daemon serves. */
        record Started(NodeDaemon daemon) implements Start {}

        /** The daemon did not start, for this reason (one paragraph, said to the operator); nothing was left open. */
        record Refused(String reason) implements Start {}
    }

    /**
     * What the daemon does in the host namespace, chosen by whoever starts it; {@code pluginHost} is where the plugin
     * server builds pods' data planes (empty: no plugin server).
     */
    public record HostSide(NodeNetworking networking, Predicate<Allocation> stillWired,
                           Optional<HostNamespace> pluginHost) {}

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
        this.clock = clock;
        this.networking = networking;
        this.stillWired = stillWired;
        this.pluginHost = pluginHost;
        this.cluster = cluster;
        this.datastore = new Datastore(clock, config.pool().ipCooldown());
        this.view = new NodeReadModel(config, datastore, enis, ec2Calls, counters);
    }

    /**
     * Builds the daemon from the process environment, with the kernel's host side, and starts it; refuses with the
     * reason when the configuration is invalid, instance metadata does not answer within a minute, or custom
     * networking has no node name to find its ENIConfig by.
     */
    public static Start fromEnvironment(Map<String, String> env) throws IOException {
        return fromEnvironment(env, NodeDaemon::kernelHostSide, METADATA_PATIENCE, System.err);
    }

    /**
     * @param hostSide         what the daemon does in the host namespace (tests that run it as a process of its own
     *                         keep it out of the root namespace)
     * @param metadataPatience how long to retry an instance metadata service that does not answer
     * @param err              where each retry is said, on one line
     */
    public static Start fromEnvironment(Map<String, String> env,
                                        BiFunction<IpamdConfig, InstanceMetadata, HostSide> hostSide,
                                        Duration metadataPatience, PrintStream err) throws IOException {
        IpamdConfig config;
        try {
            config = IpamdConfig.fromEnvironment(env);
        } catch (InvalidConfigurationException e) {
            return new Start.Refused("invalid configuration, not starting:\n" + e.getMessage());
        }
        if (config.eni().customNetworking() && config.daemon().nodeName().isEmpty()) {
            return new Start.Refused("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true needs MY_NODE_NAME (the downward"
                    + " API's spec.nodeName) to find the node's ENIConfig; not starting");
        }
        URI metadataEndpoint = ImdsInstanceMetadata.endpointFrom(env);
        InstanceMetadata imds = new ImdsInstanceMetadata(metadataEndpoint, Duration.ofSeconds(5));
        MetadataWait.Outcome identity = MetadataWait.identity(imds, metadataEndpoint, metadataPatience, err);
        if (identity instanceof MetadataWait.Outcome.GaveUp gaveUp) {
            return new Start.Refused(gaveUp.reason());
        }
        InstanceIdentity instance = ((MetadataWait.Outcome.Answered) identity).identity();
        // The identity does not change while the instance lives: the identify step reads it from here.
        InstanceMetadata metadata = new KnownIdentity(imds, instance);
        URI ec2Endpoint;
        try {
            ec2Endpoint = Ec2Clients.endpointFrom(env, Region.of(instance.region()));
        } catch (IllegalArgumentException e) {
            return new Start.Refused("invalid configuration, not starting:\n" + e.getMessage());
        }
        ClusterLink cluster;
        if (config.daemon().nodeName().isPresent()) {
            cluster = KubernetesLink.inCluster(config.daemon().nodeName().get(), config.eni(),
                    config.daemon().annotatePodIp(), Clock.systemUTC());
        } else {
            err.println("ipamd: MY_NODE_NAME is unset: running without the Kubernetes API (no stale-pod"
                    + " cleanup, events, unschedulable handling or pod annotations)");
            cluster = ClusterLink.NONE;
        }
        Ec2CallStats stats = new Ec2CallStats();
        // VPC_CNI_EC2_BUDGET_LEASES: the pool's mutating calls wait for the account's budget shared with the nodes.
        CallBudget budget = config.eni().ec2BudgetLeases() ? cluster.ec2Budget(Ec2Guard.Time.SYSTEM) : CallBudget.LOCAL;
        AwsEc2Api ec2 = new AwsEc2Api(Ec2Clients.create(Region.of(instance.region()), ec2Endpoint,
                DefaultCredentialsProvider.builder().build(), List.of()),
                new Ec2Guard(Ec2Guard.Settings.defaults(), stats, Ec2Guard.Time.SYSTEM, budget));
        HostSide host = hostSide.apply(config, metadata);
        return new Start.Started(new NodeDaemon(config, metadata, ec2, stats, Clock.systemUTC(), host.networking(),
                host.stillWired(), host.pluginHost(), cluster).start());
    }

    private static HostSide kernelHostSide(IpamdConfig config, InstanceMetadata metadata) {
        Netlink netlink = KernelNetlink.open();
        CommandRunner commands = CommandRunner.processes(Duration.ofSeconds(30));
        NodeNetworking networking = new KernelNodeNetworking(config, netlink,
                new SnatReconciler(IptablesRestore.detect(List.of(), commands)),
                ProcSys.host(), LinkRetry.standard(), new MetadataMacs(metadata, MetadataMacs.NEW_ENI),
                new AwsNodeNftTable(List.of(), commands));
        return new HostSide(networking, new HostVeths(netlink, config.hostNetwork().vethPrefix())::stillWired,
                Optional.of(HostNamespace.ofProcess(PluginServer.sysctlRoot().toFile())));
    }

    /**
     * The instance, its limits and its ENIs as instance metadata listed them, from the identify step. The start's
     * later steps use that one walk of the ENIs: a walk is a few requests per ENI (1.7 s for two ENIs through VPC in
     * a box's metadata service, read three times before), and nothing attaches or detaches an ENI meanwhile.
     */
    private record Node(InstanceIdentity identity, InstanceLimits limits, List<EniMetadata> enisAtStart) {}

    /** What the sync step leaves for the loops: the ENI manager and the sync itself, run again every minute. */
    private record Synced(EniManager eniManager, EniSync sync) {}

    /**
     * Runs the start-up steps and returns once the daemon serves. A step that fails leaves nothing open: what the
     * steps before it started is closed again and the failure is thrown.
     */
    public NodeDaemon start() throws IOException {
        StartupSteps steps = new StartupSteps(9);
        try {
            PoolCheckpoint checkpoint = new PoolCheckpoint(datastore,
                    new JsonFileCheckpointStore(config.daemon().backingStore()));
            // Before any address goes back to EC2 the checkpoint, which records the pool, no longer lists it.
            datastore.whenAddressesLeave(checkpoint::persist);
            steps.act("listen, refusing requests", () -> listen(checkpoint));
            Optional<PoolCheckpoint.Saved> saved = steps.run("serve from the checkpoint",
                    () -> serveFromCheckpoint(checkpoint));
            Node node = steps.run("identify", this::identify);
            steps.act("node networking", () -> networking.setUpNode(node.identity(), node.enisAtStart()));
            Synced synced = steps.run("sync ENIs", () -> syncEnis(node));
            SubnetSelector subnets = new SubnetSelector(ec2);
            NodeEni primary = steps.run("build the pool", () -> buildPool(node, synced, subnets));
            steps.act("restore", () -> restore(checkpoint, saved));
            steps.act("ready", () -> ready(checkpoint));
            steps.act("start loops", () -> startLoops(node, synced, subnets, primary));
        } catch (IOException | RuntimeException | Error e) {
            close();
            throw e;
        }
        LOG.log(Level.INFO, "serving the plugin on {0}", config.daemon().socket());
        return this;
    }

    /**
     * Step 3: instance identity and the attached ENIs from instance metadata; the instance type's limits from EC2,
     * MAX_ENI applied.
     */
    private Node identify() {
        InstanceIdentity identity = metadata.identity();
        InstanceLimits limits = new InstanceLimitsSource(ec2).limitsFor(identity.instanceType(), config.pool().maxEni());
        view.identified(identity, limits);
        return new Node(identity, limits, metadata.enis());
    }

    /** Step 5: the node's ENIs and the datastore as EC2 has them. */
    private Synced syncEnis(Node node) {
        EniManager eniManager = new EniManager(ec2, node.identity(), node.limits(),
                new EniManagerSettings(config.eni().clusterName(), config.eni().additionalTags(),
                        config.pool().maxEni()), clock, EniManager.DeleteRetry.defaults());
        EniSync sync = new EniSync(datastore, enis, networking, !config.eni().customNetworking(), clock);
        sync.sync(eniManager.nodeEnis(), node.enisAtStart());
        LOG.log(Level.INFO, "{0} ({1}): found {2} ENIs, {3} addresses", node.identity().instanceId(),
                node.identity().instanceType(), enis.all().size(), datastore.stats().total());
        return new Synced(eniManager, sync);
    }

    /** Step 6: where new ENIs go, the node's limits and targets, the pool maintainer; returns the primary ENI. */
    private NodeEni buildPool(Node node, Synced synced, SubnetSelector subnets) {
        InstanceIdentity identity = node.identity();
        NodeEni primary = enis.all().stream().filter(NodeEni::primary).findFirst().orElseThrow(() ->
                new IllegalStateException("the primary ENI of " + identity.instanceId() + " is not attached"));
        EniPlacement placement = config.eni().customNetworking()
                ? cluster.customNetworkingPlacement(subnets, identity.availabilityZone(),
                        () -> primary.eni().securityGroupIds())
                : EniPlacement.primaryOrDiscovered(subnets, primary.eni().subnetId(),
                        node.enisAtStart().getFirst().vpcId(), identity.availabilityZone(),
                        config.eni().subnetDiscovery(), () -> primary.eni().securityGroupIds(), clock);
        PoolTargets targets = PoolTargets.from(config);
        NodeLimits nodeLimits = new NodeLimits(node.limits().maxEnis(), node.limits().ipv4PerEni(),
                enis.unmanagedCount(), 0, node.limits().maxPods(targets.prefixDelegation()));
        maintainer = new PoolMaintainer(datastore, synced.eniManager(), enis, targets, nodeLimits,
                placement, networking, cluster::conditions, clock, cluster.poolEvents(), config.pool().forBoundPods()
                        ? () -> new BoundPods(cluster.podsBoundNotAdded(), view.subnetFreeAddresses())
                        : BoundPods.NONE);
        view.maintainedBy(maintainer);
        return primary;
    }

    /**
     * Step 1: ipamd's socket and the plugin server listen, refusing every request until the checkpoint is restored.
     * Listening first matters: a DEL that found no socket would be answered by the plugin from prevResult alone, and
     * the restore, which looked at the pod's veth before the plugin removed it, would keep its address for ever.
     */
    private void listen(PoolCheckpoint checkpoint) throws IOException {
        IpamHandler handler = new IpamHandler(datastore, () -> maintainer, checkpoint, () -> phase,
                config.hostNetwork().podMtu(), config.pool().addWait(), counters);
        // The agent sees each pod the handler adds or removes; with ENABLE_NETWORK_POLICY=false it passes through.
        networkPolicy = NodeNetworkPolicy.create(config, () -> metadata.identity().primaryIpv4());
        running.add(networkPolicy);
        view.networkPolicy(networkPolicy);
        ipamServer = IpamServer.start(config.daemon().socket(), networkPolicy.wrap(handler));
        startPluginServer();
    }

    /**
     * Step 2: when the checkpoint records the pool (ours does, aws-node's does not), its ENIs and addresses go into
     * the datastore and its assignments are restored, and adds are served the addresses it records as free before
     * EC2 has answered; dels are served too. The sync with EC2 then corrects whatever changed meanwhile. Returns what
     * the file held, for the restore step.
     */
    private Optional<PoolCheckpoint.Saved> serveFromCheckpoint(PoolCheckpoint checkpoint) {
        Optional<PoolCheckpoint.Saved> saved = checkpoint.readSaved();
        if (saved.isEmpty() || saved.get().pool().isEmpty()) {
            LOG.log(Level.INFO, "{0} records no pool: adds wait for EC2", saved.isEmpty()
                    ? "no checkpoint at " + config.daemon().backingStore() : "the checkpoint");
            return saved;
        }
        for (PoolCheckpoint.SavedEni eni : saved.get().pool()) {
            datastore.putEni(eni.eni());
            if (eni.eni().primary() && config.eni().customNetworking()) {
                continue; // with custom networking pods get no address of the primary ENI, whatever it once gave
            }
            eni.cidrs().forEach(cidr -> datastore.addCidrIfFree(eni.eni().eniId(), cidr));
        }
        restoreAssignments(saved.get().assignments());
        checkpoint.persist();
        phase = IpamHandler.Phase.FROM_CHECKPOINT;
        LOG.log(Level.INFO, "serving {0} free addresses of {1} ENIs from the checkpoint until EC2 answers",
                datastore.stats().available(), saved.get().pool().size());
        return saved;
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
        view.pluginServer(pluginServer);
        LOG.log(Level.INFO, "running pods'' CNI invocations on {0}", socket);
    }

    /**
     * Step 7: the checkpoint into the datastore unless step 2 did it already (aws-node's checkpoint, or none):
     * assignments whose pod's host veth is gone are dropped, and so are those on an address no ENI of this node
     * holds; the result is written back at once.
     */
    private void restore(PoolCheckpoint checkpoint, Optional<PoolCheckpoint.Saved> saved) {
        if (saved.isPresent() && phase == IpamHandler.Phase.STARTING) {
            restoreAssignments(saved.get().assignments());
        }
        checkpoint.persist();
    }

    private void restoreAssignments(DatastoreSnapshot saved) {
        List<Allocation> wired = saved.allocations().stream().filter(stillWired).toList();
        saved.allocations().stream().filter(a -> !wired.contains(a)).forEach(a -> LOG.log(Level.INFO,
                "dropping {0} of container {1}: its pod''s host veth is gone", a.ip(), a.key().containerId()));
        RestoreReport report = datastore.restore(new DatastoreSnapshot(wired, saved.cooling()));
        report.rejected().forEach(a -> LOG.log(Level.WARNING,
                "checkpoint entry {0} of container {1} is on no ENI of this node any more; dropped", a.ip(),
                a.key().containerId()));
        LOG.log(Level.INFO, "restored {0} assignments and {1} cooling addresses from {2}",
                report.restored().size(), report.coolingRestored(), config.daemon().backingStore());
    }

    /** Step 8: everything is served; the Kubernetes link starts (node conditions, ENIConfigs, stale pods). */
    private void ready(PoolCheckpoint checkpoint) {
        networkPolicy.start(datastore.allocations());
        phase = IpamHandler.Phase.READY;
        view.ready(true);
        running.add(cluster);
        cluster.start(new ClusterLink.DaemonHooks(datastore::allocations, key -> releaseStale(checkpoint, key),
                stillWired, () -> maintainer.atCapacity() && datastore.stats().available() == 0,
                config.pool().forBoundPods() ? maintainer::wake : () -> {}));
    }

    /**
     * Step 9: the pool maintainer's thread, ENI sync every minute, the subnet's free count, the leaked-ENI sweep,
     * then the introspection and metrics listeners.
     */
    private void startLoops(Node node, Synced synced, SubnetSelector subnets, NodeEni primary) throws IOException {
        Thread pool = Thread.ofPlatform().name("pool-maintainer").daemon()
                .start(() -> maintainer.runLoop(POOL_PERIOD));
        running.add(pool::interrupt);
        ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("ipamd-background").daemon().factory());
        running.add(background::shutdownNow);
        background.scheduleWithFixedDelay(() -> guarded("ENI sync", () -> {
            List<EniMetadata> seen = metadata.enis();
            synced.sync().sync(synced.eniManager().nodeEnis(), seen);
            networking.setUpNode(node.identity(), seen); // the VPC may have gained CIDRs: SNAT must not cover them
        }), periodicStart(ENI_SYNC_PERIOD, ENI_SYNC_PERIOD), ENI_SYNC_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        background.scheduleWithFixedDelay(() -> guarded("subnet check", () -> view.subnetFree(subnets
                .subnet(primary.eni().subnetId()).map(s -> OptionalInt.of(s.availableAddresses()))
                .orElse(OptionalInt.empty()))), periodicStart(Duration.ZERO, SUBNET_CHECK_JITTER),
                SUBNET_CHECK_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        if (!config.eni().disableLeakedEniCleanup()) {
            LeakedEniCollector collector = new LeakedEniCollector(ec2, node.identity().instanceId(),
                    config.eni().clusterName(), LeakedEniCollector.DEFAULT_GRACE, clock);
            // Jitter spreads the sweeps of a fleet of nodes, which share the account's EC2 rate limits.
            long firstDelay = ThreadLocalRandom.current().nextLong(60, LEAK_SWEEP_PERIOD.toSeconds());
            background.scheduleWithFixedDelay(() -> guarded("leaked ENI sweep", collector::sweep), firstDelay,
                    LEAK_SWEEP_PERIOD.toSeconds(), TimeUnit.SECONDS);
        }
        maintainer.wake();
        running.add(IntrospectionServer.start(view, clock, IntrospectionServer.Listeners.from(config.daemon())));
    }

    /**
     * When a periodic EC2 task first runs, in milliseconds: {@code after} plus a random share of {@code spread}.
     * Nodes that start together (a DaemonSet roll, a fleet's restart) would otherwise call EC2 in the same second
     * every period, on the account's shared buckets.
     */
    static long periodicStart(Duration after, Duration spread) {
        return after.toMillis() + ThreadLocalRandom.current().nextLong(spread.toMillis() + 1);
    }

    /** A pod the cluster no longer has, whose veth is gone: its CNI DEL was lost. */
    private boolean releaseStale(PoolCheckpoint checkpoint, AllocationKey key) {
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

    /** What the introspection endpoints, metrics and status command read; also the tests' view of the daemon. */
    public NodeView view() {
        return view;
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
        phase = IpamHandler.Phase.STARTING;
        view.ready(false);
        for (AutoCloseable part : running.reversed()) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "stopping " + part + ": " + e.getMessage());
            }
        }
        running.clear();
    }
}
