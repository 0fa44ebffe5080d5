package io.vpccni.ipamd.rpc;

import io.vpccni.ipamd.datastore.AllocationKey;
import io.vpccni.ipamd.datastore.AssignResult;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.datastore.PodRef;
import io.vpccni.ipamd.datastore.ReleaseResult;
import io.vpccni.ipamd.pool.GrowBlocked;
import io.vpccni.ipamd.pool.PoolMaintainer;
import io.vpccni.ipamd.state.PoolCheckpoint;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.AttachmentKey;
import io.vpccni.rpc.message.DelOk;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.Failure;
import io.vpccni.rpc.message.GcOk;
import io.vpccni.rpc.message.GcRequest;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.IpamRequest;
import io.vpccni.rpc.message.ReasonCode;
import io.vpccni.rpc.message.StatusOk;
import io.vpccni.rpc.message.StatusRequest;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Answers the plugin. An add takes a free address from the datastore and makes no EC2 call; when the pool is
 * empty it wakes the pool maintainer and waits a bounded time for it, then fails with the reason the pool could
 * not grow. Every change is in the checkpoint on disk before the reply leaves.
 *
 * <p>A waiting add costs at most one grow attempt for each time it wakes the maintainer: it wakes it again only
 * after a tick that grew the pool (other adds took the addresses), and answers at once when the tick that answered
 * its wake failed to grow it for a reason that holds ({@link GrowBlocked#endsWaitingAdds}); after a throttle it
 * waits for the maintainer's next period instead. Waking it after every failed tick would repeat the refused EC2
 * call back to back for the whole wait.
 */
public final class IpamHandler implements Function<IpamRequest, IpamReply> {

    /** How often an add whose pool cannot grow looks for an address coming back from cooldown. */
    public static final Duration COOLING_LOOK = Duration.ofMillis(50);


    private static final System.Logger LOG = System.getLogger(IpamHandler.class.getName());

    /** The restore takes milliseconds to a second; a waiting ADD looks this often. */
    private static final Duration READY_POLL = Duration.ofMillis(10);

    /** How far the daemon's start has come, as far as requests are concerned. */
    public enum Phase {
        /** Nothing is served: the checkpoint is not restored yet. */
        STARTING,
        /**
         * Restored from a checkpoint that records the pool, EC2 not answered yet: adds get addresses the checkpoint
         * records as free, dels release; an add that finds none waits for READY, garbage collection waits.
         */
        FROM_CHECKPOINT,
        /** EC2 has answered and the pool maintainer runs: everything is served. */
        READY
    }

    private final Datastore datastore;
    private final Supplier<PoolMaintainer> maintainers;
    private final PoolCheckpoint checkpoint;
    private final Supplier<Phase> phase;
    private final int podMtu;
    private final Duration addWait;
    private final RequestCounters counters;

    /** A handler that serves nothing until {@code ready}, with its maintainer from the start. */
    public IpamHandler(Datastore datastore, PoolMaintainer maintainer, PoolCheckpoint checkpoint,
                       BooleanSupplier ready, int podMtu, Duration addWait, RequestCounters counters) {
        this(datastore, () -> maintainer, checkpoint, () -> ready.getAsBoolean() ? Phase.READY : Phase.STARTING,
                podMtu, addWait, counters);
    }

    /**
     * @param maintainer the pool maintainer, which exists once EC2 has answered: asked for only in {@link Phase#READY}
     * @param phase      how far the start has come
     */
    public IpamHandler(Datastore datastore, Supplier<PoolMaintainer> maintainer, PoolCheckpoint checkpoint,
                       Supplier<Phase> phase, int podMtu, Duration addWait, RequestCounters counters) {
        this.datastore = datastore;
        this.maintainers = maintainer;
        this.checkpoint = checkpoint;
        this.phase = phase;
        this.podMtu = podMtu;
        this.addWait = addWait;
        this.counters = counters;
    }

    @Override
    public IpamReply apply(IpamRequest request) {
        long start = System.nanoTime();
        IpamReply reply = switch (request) {
            case AddRequest add -> add(add);
            case DelRequest del -> del(del);
            case StatusRequest status -> status();
            case GcRequest gc -> gc(gc);
        };
        counters.served(request, System.nanoTime() - start);
        return reply;
    }

    private IpamReply add(AddRequest add) {
        counters.addRequested();
        long deadline = System.nanoTime() + addWait.toNanos();
        AllocationKey key = new AllocationKey(add.networkName(), add.containerId(), add.ifName());
        PodRef pod = new PodRef(add.podNamespace(), add.podName(), add.podUid());
        String notServed = "ipamd is starting: the address pool is not restored yet";
        // The socket listens before the checkpoint is restored (NodeDaemon.start): an ADD arriving meanwhile,
        // typically one the shim held back while ipamd restarted, waits for the restore within the add's wait
        // rather than failing a moment before it could have been served.
        if (awaitPhase(Phase.FROM_CHECKPOINT, deadline) && phase.get() == Phase.FROM_CHECKPOINT) {
            // The checkpoint's free addresses, before EC2 has answered: the checkpoint is written before any address
            // goes back to EC2, so each of these is still the ENI's.
            switch (datastore.assign(key, pod)) {
                case AssignResult.Assigned assigned -> {
                    return assigned(add, assigned, " (from the checkpoint, EC2 not asked yet)");
                }
                case AssignResult.NoFreeAddress empty -> notServed = "ipamd is starting: the checkpoint's pool has"
                        + " no free address (" + empty.reason() + ") and EC2 has not answered yet";
            }
        }
        if (!awaitPhase(Phase.READY, deadline)) {
            return Failure.of(ReasonCode.NOT_READY, notServed);
        }
        PoolMaintainer maintainer = maintainers.get();
        long answeringTick = 0; // the tick that answers this add's last wake; 0 before it wakes the maintainer
        while (true) {
            long seenTicks = maintainer.tickCount();
            AssignResult result = datastore.assign(key, pod);
            switch (result) {
                case AssignResult.Assigned assigned -> {
                    return assigned(add, assigned, "");
                }
                case AssignResult.NoFreeAddress empty -> {
                    // A refusal for now (a throttle) does not end the wait: the maintainer's next period asks again.
                    Optional<GrowBlocked> refused = answeringTick == 0 ? Optional.empty()
                            : maintainer.growFailureSince(answeringTick).filter(GrowBlocked::endsWaitingAdds);
                    long left = deadline - System.nanoTime();
                    // An address in cooldown after a pod delete comes back by itself, EC2 or not: while there is
                    // one, a refused grow does not end the wait (the add looks again now and then, waking nothing).
                    boolean coolingBack = empty.stats().cooling() > 0;
                    if (left <= 0 || refused.isPresent() && !coolingBack) {
                        counters.noAvailableAddress();
                        return noAddress(maintainer, empty, refused.or(maintainer::lastGrowFailure));
                    }
                    // Woken again only after the tick that answered the last wake ran and grew the pool (other adds
                    // took what it added). A tick that neither grew it nor failed held, or fell back from prefixes
                    // and woke itself: waking it again would only repeat it, so the add waits for the next one.
                    boolean answered = answeringTick != 0 && seenTicks >= answeringTick;
                    if (answeringTick == 0 || answered && maintainer.grewSince(answeringTick)) {
                        answeringTick = maintainer.wake();
                    }
                    long wait = coolingBack ? Math.min(left, COOLING_LOOK.toNanos()) : left;
                    if (!awaitTick(maintainer, seenTicks, Duration.ofNanos(wait)) && !coolingBack) {
                        counters.noAvailableAddress();
                        return noAddress(maintainer, empty, maintainer.lastGrowFailure());
                    }
                }
            }
        }
    }

    private AddOk assigned(AddRequest add, AssignResult.Assigned assigned, String how) {
        checkpoint.persist();
        LOG.log(Level.INFO, "assigned {0} on {1} to {2}/{3} (container {4}){5}", assigned.ip(), assigned.eniId(),
                add.podNamespace(), add.podName(), add.containerId(), how);
        int table = assigned.deviceIndex() == 0 ? AddOk.MAIN_TABLE : assigned.deviceIndex() + 1;
        return new AddOk(assigned.ip().toString(), 32, assigned.deviceIndex(), table, podMtu, assigned.eniId(),
                datastore.locate(assigned.ip()).map(e -> e.subnetCidr().toString()));
    }

    private boolean ready() {
        return phase.get() == Phase.READY;
    }

    /** Whether the start has come as far as {@code wanted}, or does before {@code deadline} (System.nanoTime). */
    private boolean awaitPhase(Phase wanted, long deadline) {
        while (phase.get().compareTo(wanted) < 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(READY_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private IpamReply del(DelRequest del) {
        counters.delRequested();
        if (phase.get() == Phase.STARTING) {
            // Refused, not ignored: the runtime retries the DEL, and by then the restored assignment is known.
            return Failure.of(ReasonCode.NOT_READY, "ipamd is starting: try the delete again");
        }
        AllocationKey key = new AllocationKey(del.networkName(), del.containerId(), del.ifName());
        return switch (datastore.release(key)) {
            case ReleaseResult.Released released -> {
                checkpoint.persist();
                LOG.log(Level.INFO, "released {0} of container {1}", released.allocation().ip(), del.containerId());
                int table = released.deviceIndex() == 0 ? AddOk.MAIN_TABLE : released.deviceIndex() + 1;
                yield new DelOk(Optional.of(new DelOk.Released(released.allocation().ip().toString(),
                        released.deviceIndex(), table)));
            }
            case ReleaseResult.NotFound notFound -> DelOk.nothingReleased();
        };
    }

    private IpamReply status() {
        if (!ready()) {
            return new StatusOk(false, "ipamd is starting: the address pool is not restored yet", 0);
        }
        int available = datastore.stats().available();
        if (available > 0) {
            return new StatusOk(true, available + " addresses free", available);
        }
        return new StatusOk(false, reasonForEmptyPool(maintainers.get()), 0);
    }

    private IpamReply gc(GcRequest gc) {
        if (!ready()) {
            return Failure.of(ReasonCode.NOT_READY, "ipamd is starting: try the garbage collection again");
        }
        Set<AttachmentKey> valid = new HashSet<>(gc.valid());
        List<GcOk.Released> released = new ArrayList<>();
        datastore.allocations().stream()
                .filter(a -> a.key().networkName().equals(gc.networkName()))
                .filter(a -> !valid.contains(new AttachmentKey(a.key().containerId(), a.key().ifName())))
                .forEach(a -> {
                    if (datastore.release(a.key()) instanceof ReleaseResult.Released r) {
                        released.add(new GcOk.Released(new AttachmentKey(a.key().containerId(), a.key().ifName()),
                                r.allocation().ip().toString()));
                    }
                });
        if (!released.isEmpty()) {
            checkpoint.persist();
            LOG.log(Level.INFO, "garbage-collected {0} stale attachments of network {1}", released.size(),
                    gc.networkName());
        }
        return new GcOk(released);
    }

    private Failure noAddress(PoolMaintainer maintainer, AssignResult.NoFreeAddress empty,
                              Optional<GrowBlocked> growFailure) {
        return growFailure.map(blocked -> switch (blocked.kind()) {
            case SUBNET_FULL -> Failure.of(ReasonCode.POOL_EMPTY_SUBNET_EXHAUSTED,
                    "no free address: the subnet is out of addresses (" + blocked.message() + ")");
            case ENI_LIMIT -> Failure.of(ReasonCode.POOL_EMPTY_ENI_LIMIT,
                    "no free address: the instance type's ENI or address limit is reached (" + blocked.message() + ")");
            case THROTTLED -> Failure.of(ReasonCode.POOL_EMPTY_THROTTLED,
                    "no free address: EC2 is throttling the node's calls (" + blocked.message() + ")");
            case BUDGET_DEFERRED -> Failure.of(ReasonCode.POOL_EMPTY_THROTTLED,
                    "no free address: the account's EC2 budget has no token for the node's grow yet ("
                            + blocked.message() + ")");
            case PERMISSION_DENIED -> Failure.of(ReasonCode.POOL_EMPTY_PERMISSION_DENIED,
                    "no free address: the node's IAM role lacks a permission (" + blocked.message() + ")");
            case NO_PLACEMENT -> Failure.of(ReasonCode.POOL_EMPTY,
                    "no free address: no ENI can be created (" + blocked.message() + ")");
            case EC2_UNAVAILABLE, OTHER -> Failure.of(ReasonCode.POOL_EMPTY,
                    "no free address: growing the pool failed (" + blocked.message() + ")");
        }).orElseGet(() -> maintainer.atCapacity()
                ? Failure.of(ReasonCode.POOL_EMPTY_ENI_LIMIT, "no free address: " + empty.reason()
                        + "; every ENI the instance type allows is attached and full")
                : Failure.of(ReasonCode.POOL_EMPTY, "no free address yet: " + empty.reason()
                        + "; the pool is growing, try again"));
    }

    private static String reasonForEmptyPool(PoolMaintainer maintainer) {
        return maintainer.lastGrowFailure().map(b -> "pool empty: " + b.message())
                .orElse(maintainer.atCapacity() ? "pool empty: instance ENI limit reached" : "pool empty: growing");
    }

    private static boolean awaitTick(PoolMaintainer maintainer, long seen, Duration timeout) {
        try {
            return maintainer.awaitTickAfter(seen, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
