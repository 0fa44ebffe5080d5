package io.vpccni.ipamd.app;

import io.vpccni.ipamd.introspect.NetworkPolicyStatus;
import io.vpccni.ipamd.policy.NodeNetworkPolicy;
import io.vpccni.cni.server.PluginServer;
import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.guard.LatencyHistogram;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.CoolingAddress;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.datastore.PoolStats;
import io.vpccni.ipamd.introspect.NodeView;
import io.vpccni.ipamd.pool.GrowBlocked;
import io.vpccni.ipamd.pool.NodeEni;
import io.vpccni.ipamd.pool.NodeEnis;
import io.vpccni.ipamd.pool.PoolMaintainer;
import io.vpccni.ipamd.warmpool.PoolPlan;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What the introspection endpoints, the metrics and the status command read of the running daemon: the datastore,
 * the node's ENIs and counters it is built on, and what the start-up steps learn as they complete (the instance,
 * the pool maintainer, the plugin server, readiness), each published once by {@link NodeDaemon}. Until a step has
 * run, what depends on it reads as absent (no maintainer: no plan, not at capacity).
 */
final class NodeReadModel implements NodeView {

    private final IpamdConfig config;
    private final Datastore datastore;
    private final NodeEnis enis;
    private final Ec2CallStats ec2Calls;
    private final DaemonCounters counters;
    private volatile InstanceIdentity identity;
    private volatile InstanceLimits limits;
    private volatile PoolMaintainer maintainer;
    private volatile PluginServer pluginServer;
    private volatile boolean ready;
    private volatile OptionalInt subnetFree = OptionalInt.empty();
    private volatile NodeNetworkPolicy networkPolicy;

    NodeReadModel(IpamdConfig config, Datastore datastore, NodeEnis enis, Ec2CallStats ec2Calls,
                  DaemonCounters counters) {
        this.config = config;
        this.datastore = datastore;
        this.enis = enis;
        this.ec2Calls = ec2Calls;
        this.counters = counters;
    }

    void identified(InstanceIdentity identity, InstanceLimits limits) {
        this.identity = identity;
        this.limits = limits;
    }

    void maintainedBy(PoolMaintainer maintainer) {
        this.maintainer = maintainer;
    }

    void pluginServer(PluginServer server) {
        this.pluginServer = server;
    }

    void ready(boolean ready) {
        this.ready = ready;
    }

    void subnetFree(OptionalInt free) {
        this.subnetFree = free;
    }

    void networkPolicy(NodeNetworkPolicy policy) {
        this.networkPolicy = policy;
    }

    @Override
    public Optional<NetworkPolicyStatus> networkPolicy() {
        NodeNetworkPolicy policy = networkPolicy;
        return policy == null ? Optional.empty() : policy.status();
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
        PoolMaintainer m = maintainer;
        return m == null ? Optional.empty() : m.lastGrowFailure();
    }

    @Override
    public boolean atCapacity() {
        PoolMaintainer m = maintainer;
        return m != null && m.atCapacity();
    }

    @Override
    public Optional<PoolPlan> lastPlan() {
        PoolMaintainer m = maintainer;
        return m == null ? Optional.empty() : m.lastPlan();
    }

    @Override
    public Optional<Instant> prefixFallbackUntil() {
        PoolMaintainer m = maintainer;
        return m == null ? Optional.empty() : m.prefixFallbackUntil();
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
    public List<CoolingAddress> coolingAddresses() {
        return datastore.snapshot().cooling();
    }

    @Override
    public RequestStats requests() {
        return counters.snapshot();
    }

    @Override
    public Map<String, LatencyHistogram.Snapshot> requestDurations() {
        return counters.durations();
    }
}
