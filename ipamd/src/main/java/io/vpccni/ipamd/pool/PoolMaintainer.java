package io.vpccni.ipamd.pool;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.guard.CallBudget;
import io.vpccni.eni.lifecycle.EniManager;
import io.vpccni.eni.lifecycle.NewEni;
import io.vpccni.eni.model.Eni;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.datastore.EniInfo;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import io.vpccni.ipamd.datastore.RemoveResult;
import io.vpccni.ipamd.warmpool.EniState;
import io.vpccni.ipamd.warmpool.NodeCondition;
import io.vpccni.ipamd.warmpool.NodeLimits;
import io.vpccni.ipamd.warmpool.PodDemand;
import io.vpccni.ipamd.warmpool.PoolAction;
import io.vpccni.ipamd.warmpool.PoolCounts;
import io.vpccni.ipamd.warmpool.PoolPlan;
import io.vpccni.ipamd.warmpool.PoolPolicy;
import io.vpccni.ipamd.warmpool.PoolState;
import io.vpccni.ipamd.warmpool.PoolTargets;
import io.vpccni.ipamd.warmpool.PrefixFallback;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Carries out the warm-pool policy through EC2: one {@link #tick()} evaluates the pure policy on the datastore's
 * numbers and applies the plan. Runs on its own thread ({@link #runLoop}), every period and at once when woken
 * by an add that found the pool empty; never on the add path itself.
 *
 * <p>Order matters for safety: addresses enter the datastore only after EC2 has assigned them, and leave it
 * (refused while assigned or cooling) before EC2 is asked to unassign them, so a pod never gets an address the
 * node does not hold.
 */
public final class PoolMaintainer {

    private static final System.Logger LOG = System.getLogger(PoolMaintainer.class.getName());
    /** EC2's error code for "no aligned /28 free in the subnet" (it may still have single addresses). */
    static final String INSUFFICIENT_CIDR_BLOCKS = "InsufficientCidrBlocks";

    private final Datastore datastore;
    private final EniManager eniManager;
    private final NodeEnis enis;
    private final PoolPolicy policy = new PoolPolicy();
    private final PoolTargets targets;
    private final NodeLimits limits;
    private final EniPlacement placement;
    private final EniNetworking networking;
    private final Supplier<Set<NodeCondition>> conditions;
    private final Clock clock;
    private final PoolEvents events;
    private final Supplier<BoundPods> boundPods;

    private final Object signal = new Object();
    private long ticks;
    private long ticksStarted;
    private boolean wakeRequested;
    /** The number of the tick running now; only read and written inside {@link #tick()}. */
    private long currentTick;
    /** The number of the last tick that added addresses to the pool. */
    private volatile long lastGrowTick;
    private volatile Optional<Instant> lastShrink = Optional.empty();
    private volatile Optional<Instant> lastSubnetFull = Optional.empty();
    private volatile Optional<Instant> lastInsufficientCidrBlocks = Optional.empty();
    private volatile Optional<NumberedFailure> lastGrowFailure = Optional.empty();
    private volatile PoolPlan lastPlan;
    private volatile PodDemand lastDemand = PodDemand.NONE;

    public PoolMaintainer(Datastore datastore, EniManager eniManager, NodeEnis enis, PoolTargets targets,
                          NodeLimits limits, EniPlacement placement, EniNetworking networking,
                          Supplier<Set<NodeCondition>> conditions, Clock clock, PoolEvents events) {
        this(datastore, eniManager, enis, targets, limits, placement, networking, conditions, clock, events,
                BoundPods.NONE);
    }

    /**
     * @param boundPods pods bound to the node and not yet added, read each tick: the pool grows for them before
     *                  their ADDs come (WARM_POOL_FOR_BOUND_PODS); {@link BoundPods#NONE} when that is off
     */
    public PoolMaintainer(Datastore datastore, EniManager eniManager, NodeEnis enis, PoolTargets targets,
                          NodeLimits limits, EniPlacement placement, EniNetworking networking,
                          Supplier<Set<NodeCondition>> conditions, Clock clock, PoolEvents events,
                          Supplier<BoundPods> boundPods) {
        this.boundPods = boundPods;
        this.datastore = datastore;
        this.eniManager = eniManager;
        this.enis = enis;
        this.targets = targets;
        this.limits = limits;
        this.placement = placement;
        this.networking = networking;
        this.conditions = conditions;
        this.clock = clock;
        this.events = events;
    }

    /** Evaluates the policy once and applies the plan; returns the plan. Serialised: one tick at a time. */
    public synchronized PoolPlan tick() {
        synchronized (signal) {
            currentTick = ++ticksStarted;
        }
        Instant now = clock.instant();
        PoolState state = new PoolState(now, enis.stateFor(datastore.stats()), currentLimits(), conditions.get(),
                lastShrink, lastSubnetFull, lastInsufficientCidrBlocks);
        BoundPods coming = boundPods.get();
        PodDemand demand = PodDemand.of(state, targets, coming.notAdded(), coming.subnetFree());
        PoolPlan plan = policy.evaluate(state, targets, demand);
        lastPlan = plan;
        lastDemand = demand;
        CallBudget.Priority priority = BudgetPriority.of(PoolCounts.of(state.enis()), demand);
        for (PoolAction action : plan.actions()) {
            try {
                ScopedValue.where(CallBudget.PRIORITY, priority).run(() -> apply(action));
            } catch (Ec2Failure failure) {
                if (Thread.currentThread().isInterrupted()) {
                    break; // shutting down
                }
                recordFailure(action, failure, now);
                break;
            } catch (EniPlacement.Unavailable unavailable) {
                LOG.log(Level.WARNING, "not creating an ENI: {0}", unavailable.getMessage());
                events.placementUnavailable(unavailable.getMessage());
                growFailed(new GrowBlocked(GrowBlocked.Kind.NO_PLACEMENT, unavailable.getMessage(), now));
                break;
            }
        }
        if (plan.shrinks()) {
            lastShrink = Optional.of(now);
        }
        if (demand.growFor() > 0 && lastGrowTick == currentTick) {
            // One grow per tick, as upstream; pods on their way may need more than one (a primary to fill, then an
            // ENI): the next tick comes at once rather than a period later, and stops once they are covered.
            wake();
        }
        synchronized (signal) {
            ticks++;
            signal.notifyAll();
        }
        return plan;
    }

    /**
     * Asks for a tick as soon as possible; many requests before the tick runs make one tick. Returns the number of
     * the tick that answers the request, the first to start after this call: one already running planned on what
     * it saw before, so it does not count (see {@link #growFailureSince} and {@link #grewSince}).
     */
    public long wake() {
        synchronized (signal) {
            wakeRequested = true;
            signal.notifyAll();
            return ticksStarted + 1;
        }
    }

    /**
     * For a caller that runs the ticks itself instead of {@link #runLoop} (the fleet simulation): whether a tick was
     * asked for ({@link #wake}, also by a tick that grew for pods coming) since the last look. Clears the request.
     */
    public boolean takeWakeRequest() {
        synchronized (signal) {
            boolean requested = wakeRequested;
            wakeRequested = false;
            return requested;
        }
    }

    /** The number of ticks completed so far; pass it to {@link #awaitTickAfter}. */
    public long tickCount() {
        synchronized (signal) {
            return ticks;
        }
    }

    /** Waits until a tick after {@code seen} has completed, or the timeout passes; true when one did. */
    public boolean awaitTickAfter(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (signal) {
            while (ticks <= seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                signal.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Ticks every {@code period} and whenever woken, until interrupted. Failures, Errors included, are logged, never fatal. */
    public void runLoop(Duration period) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                tick();
            } catch (Throwable e) {
                // Any Throwable, Errors included: a loop that dies here stops pool maintenance silently.
                // An OutOfMemoryError does not get this far in the image (-XX:+ExitOnOutOfMemoryError).
                if (Thread.currentThread().isInterrupted()) {
                    return; // shutting down: the EC2 call was cut short on purpose
                }
                LOG.log(Level.ERROR, "pool maintenance failed: " + e.getMessage(), e);
                events.maintenanceFailed(e);
            }
            try {
                synchronized (signal) {
                    if (!wakeRequested) {
                        signal.wait(period.toMillis());
                    }
                    wakeRequested = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Why the pool last failed to grow, if it did since it last grew. */
    public Optional<GrowBlocked> lastGrowFailure() {
        return lastGrowFailure.map(NumberedFailure::blocked);
    }

    /**
     * Why the pool failed to grow in tick {@code tick} (a number {@link #wake} returned) or a later one, unless it
     * has grown since: what an add that woke the maintainer learns from the tick that answered it.
     */
    public Optional<GrowBlocked> growFailureSince(long tick) {
        return lastGrowFailure.filter(f -> f.tick() >= tick).map(NumberedFailure::blocked);
    }

    /** True when tick {@code tick} (a number {@link #wake} returned) or a later one added addresses to the pool. */
    public boolean grewSince(long tick) {
        return lastGrowTick >= tick;
    }

    /**
     * While the pool grows with secondary /32s because EC2 had no free /28 (see {@link PrefixFallback}): when a
     * prefix is asked for again. Empty when there is no fallback now.
     */
    public Optional<Instant> prefixFallbackUntil() {
        return PrefixFallback.until(lastInsufficientCidrBlocks, targets, clock.instant());
    }

    /** The pods bound and not yet added that the last tick saw, and what it grew for them. */
    public PodDemand lastDemand() {
        return lastDemand;
    }

    /** The last plan, for introspection. */
    public Optional<PoolPlan> lastPlan() {
        return Optional.ofNullable(lastPlan);
    }

    /** True when every ENI we may have is attached and full: only deleting pods frees addresses. */
    public boolean atCapacity() {
        List<EniState> states = enis.stateFor(datastore.stats());
        long managed = states.size();
        boolean allFull = states.stream().allMatch(s -> s.slots() >= limits.unitsPerEni()
                || (s.role() == io.vpccni.ipamd.warmpool.EniRole.PRIMARY && targets.customNetworking()));
        return managed >= currentLimits().eniLimit(targets.maxEni()) && allFull;
    }

    private NodeLimits currentLimits() {
        return limits.withUnmanagedEnis(enis.unmanagedCount());
    }

    private void apply(PoolAction action) {
        switch (action) {
            case PoolAction.Hold hold -> LOG.log(Level.DEBUG, "pool holds: {0}", hold.reason());
            case PoolAction.AllocateIps grow -> addAddresses(grow.eniId(), grow.count(), false);
            case PoolAction.AllocatePrefixes grow -> addAddresses(grow.eniId(), grow.count(), true);
            case PoolAction.CreateEni create -> createEni(create);
            case PoolAction.ReleaseIps release -> releaseCidrs(release.eniId(), release.ips(), false);
            case PoolAction.ReleasePrefixes release -> releaseCidrs(release.eniId(), release.prefixes(), true);
            case PoolAction.FreeEni free -> freeEni(free.eniId());
        }
        events.applied(action);
        if (growsPrefixes(action)) {
            lastInsufficientCidrBlocks = Optional.empty(); // EC2 has /28s again: the fallback is over
        } else if (targets.prefixDelegation() && growsIps(action)) {
            Instant retry = prefixFallbackUntil().orElse(clock.instant());
            LOG.log(Level.INFO, "prefix fallback: {0} done with secondary IPs, the subnet had no free /28;"
                    + " prefixes are asked for again after {1}", action, retry);
            events.fellBackToSecondaryIps(action, retry);
        }
    }

    private void addAddresses(String eniId, int count, boolean prefixes) {
        NodeEni before = enis.require(eniId);
        Eni after = prefixes ? eniManager.assignPrefixes(before.eni(), count)
                : eniManager.assignIps(before.eni(), count);
        NodeEni updated = before.with(after);
        enis.put(updated);
        LOG.log(Level.DEBUG, "{0} now has {1} secondary IPs and {2} prefixes", eniId, after.secondaryIps().size(),
                after.prefixes().size());
        addNewCidrs(before.eni(), updated);
        grew();
    }

    private void createEni(PoolAction.CreateEni create) {
        boolean prefixes = create.unit() == PoolAction.AddressUnit.PREFIX;
        EniPlacement.Placement where = placement.place(prefixes ? create.count() * 16 : create.count());
        NewEni request = prefixes
                ? NewEni.withPrefixes(where.subnetId(), where.securityGroupIds(), create.count())
                : NewEni.withIps(where.subnetId(), where.securityGroupIds(), create.count());
        Eni created = eniManager.createAndAttach(request, enis.usedDeviceIndexes());
        NodeEni eni = new NodeEni(created, where.subnetCidr(), false, clock.instant());
        enis.put(eni);
        networking.attached(eni);
        datastore.addEni(infoOf(eni));
        addNewCidrs(null, eni);
        grew();
    }

    private void releaseCidrs(String eniId, List<Ipv4Cidr> cidrs, boolean prefixes) {
        List<String> released = new ArrayList<>();
        for (Ipv4Cidr cidr : cidrs) {
            // Refused while an address in it is assigned or cooling: a pod may have taken it since the plan.
            if (datastore.removeCidr(eniId, cidr, false) instanceof RemoveResult.Removed) {
                released.add(prefixes ? cidr.toString() : cidr.network().toString());
            }
        }
        if (released.isEmpty()) {
            return;
        }
        NodeEni before = enis.require(eniId);
        Eni after = prefixes ? eniManager.unassignPrefixes(before.eni(), released)
                : eniManager.unassignIps(before.eni(), released);
        enis.put(before.with(after));
    }

    private void freeEni(String eniId) {
        NodeEni eni = enis.require(eniId);
        if (!(datastore.removeEni(eniId, false) instanceof RemoveResult.Removed)) {
            LOG.log(Level.DEBUG, "not freeing {0}: an address on it was taken since the plan", eniId);
            return;
        }
        networking.detaching(eni);
        try {
            eniManager.detach(eni.eni());
        } catch (RuntimeException refused) {
            // Still attached (a throttled or refused detach): the ENI stays the node's, in the datastore and on the
            // host as before, so the next sync and the next plan see it as it is. Dropping it here left it in the
            // node's ENIs but not in the datastore: every later sync failed on it and its device slot looked free.
            datastore.addEni(infoOf(eni));
            addNewCidrs(null, eni);
            networking.attached(eni);
            throw refused;
        }
        enis.remove(eniId);
        // Detached: no longer the node's whatever the delete does; a delete that fails leaves an available ENI
        // tagged as ours, which the leaked-ENI collector deletes.
        eniManager.delete(eni.eni());
    }

    private void addNewCidrs(Eni before, NodeEni after) {
        for (String ip : after.eni().secondaryIps()) {
            if ((before == null || !before.secondaryIps().contains(ip))
                    && !datastore.addCidrIfFree(after.id(), Ipv4Cidr.single(Ipv4Address.parse(ip)))) {
                LOG.log(Level.WARNING, "EC2 gave {0} to {1} but another ENI already holds it; not using it", ip,
                        after.id());
            }
        }
        for (String prefix : after.eni().prefixes()) {
            if ((before == null || !before.prefixes().contains(prefix))
                    && !datastore.addCidrIfFree(after.id(), Ipv4Cidr.parse(prefix))) {
                LOG.log(Level.WARNING, "EC2 gave {0} to {1} but it overlaps another ENI's; not using it", prefix,
                        after.id());
            }
        }
    }

    private void recordFailure(PoolAction action, Ec2Failure failure, Instant now) {
        if (failure instanceof Ec2Failure.SubnetFull && INSUFFICIENT_CIDR_BLOCKS.equals(failure.errorCode())
                && growsPrefixes(action)) {
            // Not a failure the pods see: the next tick grows with /32s. Woken so that it comes at once, not a
            // period later, since an add may be waiting for this address.
            LOG.log(Level.WARNING, "pool action {0}: no free /28 in the subnet ({1}); growing with secondary IPs"
                    + " for {2} s", action, failure.getMessage(), targets.timings().insufficientAddressBackoff()
                    .toSeconds());
            lastInsufficientCidrBlocks = Optional.of(now);
            wake();
            return;
        }
        LOG.log(Level.WARNING, "pool action {0} failed: {1}", action, failure.getMessage());
        events.failed(action, failure);
        if (failure instanceof Ec2Failure.SubnetFull) {
            lastSubnetFull = Optional.of(now);
        }
        if (failure instanceof Ec2Failure.LimitExceeded && "AttachmentLimitExceeded".equals(failure.errorCode())) {
            lookAtAttachedEnis();
        }
        if (growsPrefixes(action) || growsIps(action)) {
            growFailed(GrowBlocked.of(failure, now));
        }
    }

    private void grew() {
        lastGrowFailure = Optional.empty();
        lastGrowTick = currentTick;
    }

    private void growFailed(GrowBlocked blocked) {
        lastGrowFailure = Optional.of(new NumberedFailure(blocked, currentTick));
    }

    /**
     * EC2 counted more ENIs on the instance than the daemon knows of: something attached ENIs behind its back. Every
     * attached ENI that is not ours takes a slot from now on (the next full sync sorts out which of them it may
     * take over), so the policy stops planning ENIs that EC2 would refuse. One DescribeNetworkInterfaces.
     */
    private void lookAtAttachedEnis() {
        try {
            Set<Integer> others = new java.util.HashSet<>();
            for (Eni eni : eniManager.nodeEnis()) {
                if (enis.get(eni.id()).isEmpty()) {
                    others.add(eni.deviceIndex());
                }
            }
            enis.setUnmanaged(others);
            LOG.log(Level.WARNING, "EC2 refused another ENI: {0} ENIs attached that are not ours (device indexes {1})",
                    others.size(), others);
        } catch (Ec2Failure failure) {
            LOG.log(Level.WARNING, "could not list the instance's ENIs after AttachmentLimitExceeded: {0}",
                    failure.getMessage());
        }
    }

    private static boolean growsPrefixes(PoolAction action) {
        return action instanceof PoolAction.AllocatePrefixes
                || action instanceof PoolAction.CreateEni(PoolAction.AddressUnit unit, int count)
                        && unit == PoolAction.AddressUnit.PREFIX;
    }

    private static boolean growsIps(PoolAction action) {
        return action instanceof PoolAction.AllocateIps
                || action instanceof PoolAction.CreateEni(PoolAction.AddressUnit unit, int count)
                        && unit == PoolAction.AddressUnit.IP;
    }

    /** A grow failure and the number of the tick that met it. */
    private record NumberedFailure(GrowBlocked blocked, long tick) {}

    static EniInfo infoOf(NodeEni eni) {
        return new EniInfo(eni.id(), eni.eni().deviceIndex(), eni.primary(), eni.subnetCidr(),
                Ipv4Address.parse(eni.eni().primaryIp()), eni.createdAt());
    }
}
