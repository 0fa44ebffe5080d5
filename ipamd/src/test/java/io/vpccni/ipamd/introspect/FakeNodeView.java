package io.vpccni.ipamd.introspect;

import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.guard.LatencyHistogram;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.AllocationKey;
import io.vpccni.ipamd.datastore.CoolingAddress;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.datastore.EniInfo;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import io.vpccni.ipamd.datastore.PodRef;
import io.vpccni.ipamd.datastore.PoolStats;
import io.vpccni.ipamd.pool.GrowBlocked;
import io.vpccni.ipamd.pool.NodeEni;
import io.vpccni.ipamd.rpc.RequestDurations;
import io.vpccni.ipamd.warmpool.PoolPlan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A {@link NodeView} over a real {@link Datastore} (fixed, movable clock) with everything else set by the test.
 * A hand-written view rather than the daemon: how the daemon composes EC2, the maintainer and the datastore is
 * tested with the daemon; these tests are about rendering what a view says, so they need full control over
 * readiness, grow failures and EC2 counts, which the real daemon only reaches through EC2 faults.
 */
public final class FakeNodeView implements NodeView {

    public static final Instant START = Instant.parse("2025-06-01T12:00:00Z");

    public final MovableClock clock = new MovableClock(START);
    public final Datastore datastore = new Datastore(clock, Duration.ofSeconds(30));
    public final Ec2CallStats ec2 = new Ec2CallStats();
    private final List<NodeEni> enis = new ArrayList<>();
    private final Map<String, Long> ipamdErrors = new TreeMap<>();
    public IpamdConfig config = IpamdConfig.fromEnvironment(Map.of());
    public InstanceLimits limits = new InstanceLimits("m5.large", 3, 10, 1, true);
    public boolean ready = true;
    public Optional<GrowBlocked> growFailure = Optional.empty();
    public boolean atCapacity;
    public Optional<PoolPlan> plan = Optional.empty();
    public OptionalInt subnetFree = OptionalInt.of(4000);
    public OptionalLong pluginInvocations = OptionalLong.empty();
    public RequestStats requests = new RequestStats(0, 0, 0);
    public final RequestDurations durations = new RequestDurations();
    public Optional<Instant> fallbackUntil = Optional.empty();
    public Optional<NetworkPolicyStatus> networkPolicy = Optional.empty();

    /** Adds an ENI to EC2's view and to the datastore, with the given /32s or /28s. */
    public FakeNodeView eni(String id, int device, String subnetCidr, String primaryIp, String... cidrs) {
        boolean primary = device == 0;
        List<String> ips = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        for (String cidr : cidrs) {
            (cidr.endsWith("/32") ? ips : prefixes).add(cidr.endsWith("/32") ? cidr.replace("/32", "") : cidr);
        }
        Eni eni = new Eni(id, "02:00:00:00:00:0" + device, "subnet-" + device, primaryIp, ips, prefixes, device,
                Optional.of("attach-" + device), Optional.of("i-0123456789"), "in-use", "aws-K8S-i-0123456789",
                List.of("sg-1"), Map.of());
        enis.add(new NodeEni(eni, Ipv4Cidr.parse(subnetCidr), primary, START));
        datastore.addEni(new EniInfo(id, device, primary, Ipv4Cidr.parse(subnetCidr), Ipv4Address.parse(primaryIp),
                START));
        for (String cidr : cidrs) {
            datastore.addCidr(id, Ipv4Cidr.parse(cidr));
        }
        return this;
    }

    /** An ENI EC2 reports but the pool does not use (tagged no_manage=true). */
    public FakeNodeView unmanagedEni(String id, int device) {
        Eni eni = new Eni(id, "02:00:00:00:01:0" + device, "subnet-x", "10.9.0.5", List.of(), List.of(), device,
                Optional.of("attach-x"), Optional.of("i-0123456789"), "in-use", "someone else's",
                List.of(), Map.of(Eni.NO_MANAGE_TAG, "true"));
        enis.add(new NodeEni(eni, Ipv4Cidr.parse("10.9.0.0/24"), false, START));
        return this;
    }

    public Ipv4Address assign(String containerId, String pod) {
        var result = datastore.assign(key(containerId), new PodRef("default", pod, "uid-" + pod));
        return ((io.vpccni.ipamd.datastore.AssignResult.Assigned) result).ip();
    }

    public void release(String containerId) {
        datastore.release(key(containerId));
    }

    public void ipamdError(String fn) {
        ipamdErrors.merge(fn, 1L, Long::sum);
    }

    /** Prefix delegation on: the standard node's three /32s are then what a prefix fallback left. */
    public FakeNodeView prefixDelegation() {
        config = IpamdConfig.fromEnvironment(Map.of("ENABLE_PREFIX_DELEGATION", "true", "WARM_PREFIX_TARGET", "1"));
        return this;
    }

    public static AllocationKey key(String containerId) {
        return new AllocationKey("aws-cni", containerId, "eth0");
    }

    /** A standard node: primary ENI with three /32s, a second ENI with one /28; two pods, one released. */
    public static FakeNodeView standard() {
        FakeNodeView view = new FakeNodeView()
                .eni("eni-0aaa", 0, "10.0.0.0/24", "10.0.0.10", "10.0.0.11/32", "10.0.0.12/32", "10.0.0.13/32")
                .eni("eni-0bbb", 1, "10.0.0.0/24", "10.0.0.20", "10.0.0.32/28");
        view.assign("c1", "web-1");
        view.assign("c2", "web-2");
        view.release("c2");
        view.assign("c3", "web-3");
        return view;
    }

    @Override public String instanceId() { return "i-0123456789"; }
    @Override public String instanceType() { return limits.instanceType(); }
    @Override public InstanceLimits limits() { return limits; }
    @Override public IpamdConfig config() { return config; }
    @Override public boolean ready() { return ready; }
    @Override public PoolStats poolStats() { return datastore.stats(); }
    @Override public List<NodeEni> enis() { return List.copyOf(enis); }
    @Override public List<Allocation> allocations() { return datastore.allocations(); }
    @Override public Optional<GrowBlocked> lastGrowFailure() { return growFailure; }
    @Override public boolean atCapacity() { return atCapacity; }
    @Override public Optional<PoolPlan> lastPlan() { return plan; }
    @Override public Optional<Instant> prefixFallbackUntil() { return fallbackUntil; }
    @Override public Ec2CallStats ec2Calls() { return ec2; }
    @Override public OptionalInt subnetFreeAddresses() { return subnetFree; }
    @Override public OptionalLong pluginServerInvocations() { return pluginInvocations; }
    @Override public RequestStats requests() { return requests; }
    @Override public Map<String, LatencyHistogram.Snapshot> requestDurations() { return durations.snapshot(); }
    @Override public Optional<NetworkPolicyStatus> networkPolicy() { return networkPolicy; }
    @Override public List<CoolingAddress> coolingAddresses() { return datastore.snapshot().cooling(); }
    @Override public Map<String, Long> ipamdErrors() { return Map.copyOf(ipamdErrors); }

    /** A clock the test moves by hand, so cooldown ends when the test says. */
    public static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        public void advance(Duration by) {
            now = now.plus(by);
        }

        @Override public Instant instant() { return now; }
        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    }
}
