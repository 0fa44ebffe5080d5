package io.vpccni.ipamd.warmpool;

import io.vpccni.ipamd.datastore.AllocationKey;
import io.vpccni.ipamd.datastore.AssignResult;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.datastore.EniInfo;
import io.vpccni.ipamd.datastore.EniStats;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import io.vpccni.ipamd.datastore.MutableClock;
import io.vpccni.ipamd.datastore.PodRef;
import io.vpccni.ipamd.datastore.RemoveResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A steady-state simulator: a real {@link Datastore}, the real {@link PoolPolicy}, and a fake EC2 that applies
 * every action at once. A tick is 5 s, as ipamd's pool check. "Settled" means 30 quiet ticks in a row (150 s,
 * longer than every timer), so a pool that attaches and frees forever never settles.
 */
final class PoolSimulator {

    static final Duration TICK = Duration.ofSeconds(5);
    static final int QUIET_TICKS = 30;
    static final int MAX_TICKS = 3000;
    static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final Datastore datastore = new Datastore(clock, Duration.ofSeconds(30));
    private final PoolPolicy policy = new PoolPolicy();
    private final NodeLimits limits;
    private final PoolTargets targets;
    private final Deque<AllocationKey> pods = new ArrayDeque<>();
    private final List<PoolAction> history = new ArrayList<>();
    private final List<PoolAction> refused = new ArrayList<>();
    private Optional<Instant> lastShrink = Optional.empty();
    private Optional<Instant> lastInsufficientCidrBlocks = Optional.empty();
    private boolean fragmented;
    private int nextPod;
    private int nextBlock;

    /** A node whose primary ENI (device 0, old enough to matter nowhere) has no pod addresses yet. */
    PoolSimulator(NodeLimits limits, PoolTargets targets) {
        this.limits = limits;
        this.targets = targets;
        datastore.addEni(new EniInfo("eni-0", 0, true, Ipv4Cidr.parse("10.0.0.0/16"), Ipv4Address.parse("10.0.0.1"),
                START.minus(Duration.ofHours(1))));
    }

    PoolState state() {
        PoolState state = PoolState.of(clock.instant(), datastore.stats(), limits);
        state = lastShrink.map(state::withLastShrink).orElse(state);
        return lastInsufficientCidrBlocks.map(state::withLastInsufficientCidrBlocks).orElse(state);
    }

    /**
     * A fragmented subnet has single addresses but no free aligned /28: EC2 refuses every prefix with
     * InsufficientCidrBlocks, which the simulator records as the pool maintainer does.
     */
    void fragmented(boolean on) {
        fragmented = on;
    }

    PoolPlan tick() {
        PoolPlan plan = policy.evaluate(state(), targets);
        for (PoolAction action : plan.actions()) {
            boolean prefixGrow = action instanceof PoolAction.AllocatePrefixes
                    || action instanceof PoolAction.CreateEni(PoolAction.AddressUnit unit, int count)
                            && unit == PoolAction.AddressUnit.PREFIX;
            if (prefixGrow && fragmented) {
                refused.add(action);
                lastInsufficientCidrBlocks = Optional.of(clock.instant());
                break;
            }
            if (prefixGrow) {
                lastInsufficientCidrBlocks = Optional.empty();
            }
            apply(action);
        }
        if (plan.shrinks()) {
            lastShrink = Optional.of(clock.instant());
        }
        clock.advance(TICK);
        return plan;
    }

    /** Ticks for {@code duration}, whatever the pool does; for pools that retry something periodically. */
    void run(Duration duration) {
        for (Instant end = clock.instant().plus(duration); clock.instant().isBefore(end); ) {
            tick();
        }
    }

    PoolSimulator settle() {
        int quiet = 0;
        for (int ticks = 0; ticks < MAX_TICKS; ticks++) {
            quiet = tick().isHold() ? quiet + 1 : 0;
            if (quiet >= QUIET_TICKS) {
                return this;
            }
        }
        throw new AssertionError("pool did not settle in " + MAX_TICKS + " ticks; last actions: "
                + history.subList(Math.max(0, history.size() - 10), history.size()));
    }

    /** Adds one pod, letting the pool refill first if it has nothing free; false if the pod got no address. */
    boolean addPod() {
        AllocationKey key = new AllocationKey("aws-cni", "pod-" + nextPod++, "eth0");
        PodRef pod = new PodRef("default", key.containerId(), "");
        if (!(datastore.assign(key, pod) instanceof AssignResult.Assigned)) {
            settle();
            if (!(datastore.assign(key, pod) instanceof AssignResult.Assigned)) {
                return false;
            }
        }
        pods.push(key);
        return true;
    }

    /** Adds or removes pods one at a time (newest removed first), settling after each; returns pods that failed. */
    int scaleTo(int podCount) {
        settle();
        int failed = 0;
        while (pods.size() + failed < podCount) {
            failed += addPod() ? 0 : 1;
            settle();
        }
        while (pods.size() > podCount) {
            datastore.release(pods.pop());
            settle();
        }
        return failed;
    }

    /** Deletes the newest pods at once, without giving the pool time to react. */
    void deletePods(int count) {
        for (int i = 0; i < count; i++) {
            datastore.release(pods.pop());
        }
    }

    /** Adds a pod only if an address is free right now. */
    boolean addPodNow() {
        AllocationKey key = new AllocationKey("aws-cni", "pod-" + nextPod++, "eth0");
        boolean assigned = datastore.assign(key, new PodRef("default", key.containerId(), "")) instanceof AssignResult.Assigned;
        if (assigned) {
            pods.push(key);
        }
        return assigned;
    }

    List<PoolAction> history() {
        return List.copyOf(history);
    }

    /** Prefix grows a fragmented subnet refused. */
    List<PoolAction> refused() {
        return List.copyOf(refused);
    }

    Instant now() {
        return clock.instant();
    }

    void advance(Duration by) {
        clock.advance(by);
    }

    /** Secondary /32s in the pool. */
    int secondaryIps() {
        return datastore.stats().secondaryIps();
    }

    /** Slots in use per ENI, by device index; each /32 and /28 takes one. */
    List<Integer> slotsPerEni() {
        return datastore.stats().enis().stream().map(e -> e.cidrs().size()).toList();
    }

    int enis() {
        return datastore.stats().enis().size();
    }

    int totalAddresses() {
        return datastore.stats().total();
    }

    /** "Unused IPs" of the doc tables: {@code T - A}. */
    int unusedAddresses() {
        return datastore.stats().total() - datastore.stats().assigned();
    }

    int prefixes() {
        return datastore.stats().enis().stream().mapToInt(e -> (int) e.cidrs().stream().filter(c -> c.isPrefix()).count()).sum();
    }

    int unusedPrefixes() {
        return datastore.stats().unusedPrefixes();
    }

    /** Secondary IPs (or prefixes) per ENI by device index, e.g. "3+3+1". */
    String unitsPerEni() {
        return datastore.stats().enis().stream().map(e -> String.valueOf(e.cidrs().size())).collect(Collectors.joining("+"));
    }

    private void apply(PoolAction action) {
        if (!(action instanceof PoolAction.Hold)) {
            history.add(action);
        }
        switch (action) {
            case PoolAction.AllocateIps(String eniId, int count) -> addBlocks(eniId, count, 32);
            case PoolAction.AllocatePrefixes(String eniId, int count) -> addBlocks(eniId, count, 28);
            case PoolAction.CreateEni(PoolAction.AddressUnit unit, int count) -> {
                int index = freeDeviceIndex();
                String eniId = "eni-" + index;
                datastore.addEni(new EniInfo(eniId, index, false, Ipv4Cidr.parse("10." + index + ".0.0/16"),
                        Ipv4Address.parse("10." + index + ".0.1"), clock.instant()));
                addBlocks(eniId, count, unit == PoolAction.AddressUnit.PREFIX ? 28 : 32);
            }
            case PoolAction.ReleaseIps(String eniId, List<Ipv4Cidr> ips) -> ips.forEach(c -> remove(eniId, c));
            case PoolAction.ReleasePrefixes(String eniId, List<Ipv4Cidr> prefixes) -> prefixes.forEach(c -> remove(eniId, c));
            case PoolAction.FreeEni(String eniId) -> expectRemoved(datastore.removeEni(eniId, false), eniId);
            case PoolAction.Hold hold -> { }
        }
    }

    private void addBlocks(String eniId, int count, int length) {
        int device = Integer.parseInt(eniId.substring(4));
        for (int i = 0; i < count; i++) {
            int block = nextBlock++;
            // Each block gets its own 16-address slot in the ENI's /16, so /32s and /28s never overlap.
            Ipv4Address base = Ipv4Address.parse("10." + device + ".0.0").plus(256 + 16 * block);
            datastore.addCidr(eniId, new Ipv4Cidr(base, length));
        }
    }

    private void remove(String eniId, Ipv4Cidr cidr) {
        expectRemoved(datastore.removeCidr(eniId, cidr, false), cidr.toString());
    }

    private static void expectRemoved(RemoveResult result, String what) {
        if (!(result instanceof RemoveResult.Removed)) {
            throw new AssertionError("policy asked to release " + what + " but the datastore said " + result);
        }
    }

    private int freeDeviceIndex() {
        List<Integer> used = datastore.stats().enis().stream().map(EniStats::eni).map(EniInfo::deviceIndex).toList();
        int index = 1;
        while (used.contains(index)) {
            index++;
        }
        return index;
    }
}
