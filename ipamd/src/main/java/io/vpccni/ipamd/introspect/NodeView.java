package io.vpccni.ipamd.introspect;

import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.guard.LatencyHistogram;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.CoolingAddress;
import io.vpccni.ipamd.datastore.PoolStats;
import io.vpccni.ipamd.pool.GrowBlocked;
import io.vpccni.ipamd.pool.NodeEni;
import io.vpccni.ipamd.warmpool.PoolPlan;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** A read-only view of the running daemon, for the introspection endpoints, metrics and the status command. */
public interface NodeView {

    String instanceId();

    String instanceType();

    InstanceLimits limits();

    IpamdConfig config();

    /** True once the pool has been restored from EC2 and the checkpoint. */
    boolean ready();

    PoolStats poolStats();

    List<NodeEni> enis();

    List<Allocation> allocations();

    Optional<GrowBlocked> lastGrowFailure();

    /** True when every ENI the instance may have is attached and full: only deleting pods frees addresses. */
    boolean atCapacity();

    Optional<PoolPlan> lastPlan();

    /**
     * While a prefix-delegation node grows with secondary /32s because EC2 had no free /28: when prefixes are
     * asked for again. Empty when there is no fallback now.
     */
    default Optional<Instant> prefixFallbackUntil() {
        return Optional.empty();
    }

    Ec2CallStats ec2Calls();

    /** Free addresses EC2 last reported for the subnet new ENIs go into; empty when not known yet. */
    OptionalInt subnetFreeAddresses();

    /**
     * CNI invocations the plugin server ran in this daemon since start; empty when it runs none (switched off, no
     * CAP_SYS_ADMIN). Invocations the shim handed to the standalone plugin are not seen here.
     */
    default OptionalLong pluginServerInvocations() {
        return OptionalLong.empty();
    }

    /** Requests from the plugin, by kind, since start. */
    RequestStats requests();

    record RequestStats(long adds, long dels, long noAvailableAddress) {}

    /** How long the plugin's requests took to serve, by operation ("add", "del", "gc"), since start. */
    Map<String, LatencyHistogram.Snapshot> requestDurations();

    /**
     * Addresses released and still in cooldown, so /v1/enis can mark each one (Datastore#snapshot has them).
     * The default knows none: per-CIDR cooling counts in {@link #poolStats()} still show them, and a /32 with a
     * cooling count is marked from those.
     */
    default List<CoolingAddress> coolingAddresses() {
        return List.of();
    }

    /** Errors inside ipamd since start, by function (pool maintenance, ENI sync...), for awscni_ipamd_error_count. */
    default Map<String, Long> ipamdErrors() {
        return Map.of();
    }

    /** The network policy agent's state; empty when ENABLE_NETWORK_POLICY is off. */
    default Optional<NetworkPolicyStatus> networkPolicy() {
        return Optional.empty();
    }
}
