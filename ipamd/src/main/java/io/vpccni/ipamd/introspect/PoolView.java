package io.vpccni.ipamd.introspect;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.ipamd.config.WarmPoolSettings;
import io.vpccni.netlink.ip.Ipv4Cidr;
import io.vpccni.ipamd.datastore.PoolStats;
import io.vpccni.ipamd.pool.GrowBlocked;
import io.vpccni.ipamd.warmpool.PoolAction;
import io.vpccni.ipamd.warmpool.PoolCounts;
import io.vpccni.ipamd.warmpool.PoolPlan;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * /v1/pool: the pool's numbers, limits, targets and the maintainer's last decision. Field names are part of the
 * status command's and the README's contract; see {@link IntrospectionServer} for the documented shape.
 * {@code subnetFreeAddresses}, {@code lastPlan} and {@code lastGrowFailure} are null when not known or none,
 * {@code prefixFallback} outside prefix mode.
 */
public record PoolView(String instanceId, String instanceType, String now, boolean restored, Verdict readiness,
                       String mode, Addresses addresses, Prefixes prefixes, PrefixFallback prefixFallback,
                       Enis enis, Targets targets,
                       Integer subnetFreeAddresses, Plan lastPlan, GrowFailure lastGrowFailure, Requests requests,
                       Ec2 ec2, NetworkPolicy networkPolicy) {

    public record Verdict(boolean ready, String reason) {}

    public record Addresses(int total, int assigned, int cooling, int available) {}

    public record Prefixes(int total, int unused) {}

    /**
     * Prefix mode only (null otherwise). {@code active}: EC2 had no free /28 (InsufficientCidrBlocks) and the pool
     * grows with secondary /32s until {@code retryPrefixesAt} (null when not active); {@code secondaryIps}: the /32s
     * the node holds, which the fallback added and shrink has not given back yet.
     */
    public record PrefixFallback(boolean active, int secondaryIps, String retryPrefixesAt) {}

    /**
     * @param inPool    ENIs whose addresses the pool uses
     * @param attached  ENIs attached to the instance, unmanaged ones included
     * @param max       ENIs the pool may use (instance limit with MAX_ENI, minus unmanaged)
     */
    public record Enis(int inPool, int attached, int unmanaged, int max, int instanceMax, int ipv4PerEni,
                       int addressesPerEni, int maxAddresses) {}

    public record Targets(int warmEniTarget, int warmIpTarget, int minimumIpTarget, int warmPrefixTarget,
                          int maxEni, int warmTargetAddresses) {}

    public record Plan(List<Action> actions, Counts counts) {}

    /** One planned action; only the fields that apply to its {@code type} are present. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Action(String type, String eniId, Integer count, String unit, List<String> cidrs, String reason) {}

    public record Counts(int total, int assigned, int cooling, int available, int prefixes, int unusedPrefixes) {}

    public record GrowFailure(String kind, String message, String at) {}

    /** {@code pluginServerInvocations}: CNI invocations run inside ipamd; null when its plugin server is off. */
    public record Requests(long adds, long dels, long noAvailableAddress, Long pluginServerInvocations) {}

    /** EC2 requests since start: per API, failures keyed "Api/ErrorCode", and the throttled and denied totals. */
    public record Ec2(long totalCalls, Map<String, Long> calls, Map<String, Long> errors, long throttled,
                      long permissionDenied) {}

    /**
     * With ENABLE_NETWORK_POLICY (null otherwise): the enforcing mode, whether the PolicyEndpoints are listed, how
     * many policies, PolicyEndpoints and pods are enforced, the PolicyEndpoints skipped ("namespace/name: problem"),
     * packets dropped per direction (null when nft's counters could not be read) and the last failure to apply.
     */
    public record NetworkPolicy(String mode, boolean listed, int policies, int endpoints, int pods,
                                List<String> notEnforced, Long ingressDrops, Long egressDrops, String lastError) {}

    public static PoolView of(NodeView view, Instant now) {
        PoolStats pool = view.poolStats();
        NodeCapacity capacity = NodeCapacity.of(view);
        WarmPoolSettings settings = view.config().pool();
        Readiness verdict = Readiness.of(view.ready(), pool, view.lastGrowFailure(), view.atCapacity());
        int prefixes = (int) pool.enis().stream().flatMap(e -> e.cidrs().stream()).filter(c -> c.isPrefix()).count();
        Ec2CallStats ec2 = view.ec2Calls();
        Map<String, Long> errors = ec2.errors();
        NodeView.RequestStats requests = view.requests();
        OptionalLong served = view.pluginServerInvocations();
        return new PoolView(
                view.instanceId(), view.instanceType(), now.toString(), view.ready(),
                new Verdict(verdict.isReady(), verdict.reason()),
                settings.prefixDelegation() ? "prefix" : "secondary-ip",
                new Addresses(pool.total(), pool.assigned(), pool.cooling(), pool.available()),
                new Prefixes(prefixes, pool.unusedPrefixes()),
                settings.prefixDelegation() ? fallback(view, pool) : null,
                new Enis(pool.enis().size(), view.enis().size(), capacity.unmanagedEnis(), capacity.maxEnis(),
                        view.limits().maxEnis(), view.limits().ipv4PerEni(), capacity.addressesPerEni(),
                        capacity.maxAddresses()),
                new Targets(settings.warmEniTarget(), settings.warmIpTarget(), settings.minimumIpTarget(),
                        settings.warmPrefixTarget(), settings.maxEni(), capacity.warmTargetAddresses()),
                view.subnetFreeAddresses().isPresent() ? view.subnetFreeAddresses().getAsInt() : null,
                view.lastPlan().map(PoolView::plan).orElse(null),
                view.lastGrowFailure().map(PoolView::failure).orElse(null),
                new Requests(requests.adds(), requests.dels(), requests.noAvailableAddress(),
                        served.isPresent() ? served.getAsLong() : null),
                new Ec2(ec2.totalCalls(), ec2.calls(), errors, ec2.failures(io.vpccni.eni.error.Ec2Failure.Throttled.class),
                        ec2.failures(io.vpccni.eni.error.Ec2Failure.PermissionDenied.class)),
                view.networkPolicy().map(PoolView::networkPolicy).orElse(null));
    }

    private static NetworkPolicy networkPolicy(NetworkPolicyStatus p) {
        return new NetworkPolicy(p.mode(), p.listed(), p.policies(), p.endpoints(), p.pods(), p.notEnforced(),
                p.drops().map(NetworkPolicyStatus.Drops::ingressPackets).orElse(null),
                p.drops().map(NetworkPolicyStatus.Drops::egressPackets).orElse(null), p.lastError().orElse(null));
    }

    private static PrefixFallback fallback(NodeView view, PoolStats pool) {
        var until = view.prefixFallbackUntil();
        return new PrefixFallback(until.isPresent(), pool.secondaryIps(), until.map(Instant::toString).orElse(null));
    }

    private static GrowFailure failure(GrowBlocked blocked) {
        return new GrowFailure(blocked.kind().name(), blocked.message(), blocked.at().toString());
    }

    private static Plan plan(PoolPlan plan) {
        PoolCounts c = plan.counts();
        return new Plan(plan.actions().stream().map(PoolView::action).toList(),
                new Counts(c.total(), c.assigned(), c.cooling(), c.available(), c.prefixes(), c.unusedPrefixes()));
    }

    static Action action(PoolAction action) {
        return switch (action) {
            case PoolAction.AllocateIps a -> new Action("allocateIps", a.eniId(), a.count(), null, null, null);
            case PoolAction.AllocatePrefixes a -> new Action("allocatePrefixes", a.eniId(), a.count(), null, null, null);
            case PoolAction.CreateEni a -> new Action("createEni", null, a.count(), a.unit().name(), null, null);
            case PoolAction.ReleaseIps a -> new Action("releaseIps", a.eniId(), null, null, cidrs(a.ips()), null);
            case PoolAction.ReleasePrefixes a ->
                    new Action("releasePrefixes", a.eniId(), null, null, cidrs(a.prefixes()), null);
            case PoolAction.FreeEni a -> new Action("freeEni", a.eniId(), null, null, null, null);
            case PoolAction.Hold a -> new Action("hold", null, null, null, null, a.reason());
        };
    }

    private static List<String> cidrs(List<Ipv4Cidr> cidrs) {
        return cidrs.stream().map(Ipv4Cidr::toString).toList();
    }
}
