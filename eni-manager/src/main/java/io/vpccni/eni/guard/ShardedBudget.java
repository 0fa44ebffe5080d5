package io.vpccni.eni.guard;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The account's EC2 budget held in shards every node of the cluster sees ({@link ShardStore}: Kubernetes Leases in
 * the daemon); the decisions are {@link BudgetShards}'. A call of a budgeted API goes once the node has taken a
 * token from one of that API's shards; a node finding none with a token reserves the next one a shard refills and
 * waits for its turn (a warm-target top-up only within {@link Settings#topUpWait}: {@link CallBudget.Priority}); a
 * call whose turn would come after {@link Settings#maxWait} is deferred unsent ({@link CallBudget.Grant.Deferred}),
 * since the account's bucket is spoken for until then and EC2 would refuse it. What the node learns of a shard (its
 * tokens, when, its version) is kept, so that it reads only the shards it knows nothing of or whose take lost to
 * another node.
 *
 * <p>Robust by falling back to the node's own rate, never by failing a call: an API not in the budget, a store that
 * cannot be reached (then for {@link Settings#fallbackFor}, not asked again meanwhile) answer
 * {@link CallBudget.Grant.Local}.
 */
public final class ShardedBudget implements CallBudget {

    private static final System.Logger LOG = System.getLogger(ShardedBudget.class.getName());

    /**
     * @param buckets     each budgeted API's account bucket (EC2's for mutating APIs: 50 tokens, 5 a second)
     * @param shards      how many shards each API's bucket is split in: more spread the nodes' takes over more
     *                    Leases, fewer let one shard's tokens come back sooner
     * @param margin      taken off the time since a shard's last take, for clocks that differ between nodes
     * @param maxWait     the longest a call waits for its token; one whose turn comes later is deferred
     * @param fallbackFor after the store failed, how long calls go on the node's own rate without asking it
     * @param maxJitter   how much later than the earliest turn known a node may reserve its token, to spread nodes
     *                    queueing together over the shards (no more than one shard's refill interval is used)
     * @param topUpWait   the longest a warm-target top-up ({@link CallBudget.Priority#TOP_UP}) waits for its token,
     *                    at most {@code maxWait}: the part of a queue beyond it is the pods'. The defaults give
     *                    top-ups the pods' wait: shorter, the fleet measured pods slower, not faster, at
     *                    WARM_ENI_TARGET=1, where a top-up is the next pods' ENI (BENCHMARKS.md "Fleet: ...
     *                    (session 8)")
     */
    public record Settings(Map<String, BudgetShards.Bucket> buckets, int shards, Duration margin, Duration maxWait,
                           Duration fallbackFor, Duration maxJitter, Duration topUpWait) {
        public Settings {
            buckets = Map.copyOf(buckets);
            if (margin.isNegative() || maxWait.isNegative() || fallbackFor.isNegative() || maxJitter.isNegative()
                    || topUpWait.isNegative()) {
                throw new IllegalArgumentException("a budget's waits are not negative; not margin " + margin
                        + ", wait " + maxWait + ", fallback " + fallbackFor + ", jitter " + maxJitter
                        + ", top-up wait " + topUpWait);
            }
            if (topUpWait.compareTo(maxWait) > 0) {
                throw new IllegalArgumentException("a top-up waits no longer than the pods' calls; not " + topUpWait
                        + " against " + maxWait);
            }
            for (BudgetShards.Bucket bucket : buckets.values()) {
                bucket.split(shards); // a whole token per shard
            }
        }

        /** Top-ups waiting as long as the pods' calls. */
        public Settings(Map<String, BudgetShards.Bucket> buckets, int shards, Duration margin, Duration maxWait,
                        Duration fallbackFor, Duration maxJitter) {
            this(buckets, shards, margin, maxWait, fallbackFor, maxJitter, maxWait);
        }

        /**
         * The APIs the pool spends when it grows and shrinks, at EC2's default bucket for mutating APIs (50 tokens
         * refilled at 5 a second), in 10 shards of 5 tokens refilled at 0.5 a second; and DescribeSubnets, which
         * the pool asks before each new ENI and every node each minute, at EC2's bucket for describes with ids or
         * filters (100 tokens, 20 a second). The other describes (start-up, the ENI sync) stay on each node's own
         * rate.
         */
        public static Settings ec2Defaults() {
            Map<String, BudgetShards.Bucket> buckets = new HashMap<>();
            for (String api : List.of("CreateNetworkInterface", "AttachNetworkInterface",
                    "ModifyNetworkInterfaceAttribute", "AssignPrivateIpAddresses", "UnassignPrivateIpAddresses",
                    "DetachNetworkInterface", "DeleteNetworkInterface", "CreateTags")) {
                buckets.put(api, new BudgetShards.Bucket(50, 5));
            }
            buckets.put("DescribeSubnets", new BudgetShards.Bucket(100, 20));
            return new Settings(buckets, 10, Duration.ofMillis(100), Duration.ofSeconds(60), Duration.ofSeconds(30),
                    Duration.ofMillis(250));
        }
    }

    /**
     * Calls that finish what a granted call began (attach and mark delete-on-termination after a create, delete after
     * a detach, tags): never deferred and always at the pods' priority, since failing them would undo the work and
     * spend more calls (a created ENI whose attach fails is deleted). Whether an action starts is decided on its
     * first call.
     */
    static final Set<String> FINISHING = Set.of("AttachNetworkInterface", "ModifyNetworkInterfaceAttribute",
            "DeleteNetworkInterface", "CreateTags");

    private final ShardStore store;
    private final String identity;
    private final Settings settings;
    private final Ec2Guard.Time time;
    private final Map<String, List<String>> order = new HashMap<>();
    private final Map<String, BudgetShards.Bucket> shardBuckets = new HashMap<>();
    /** What is known of each shard; guarded by {@code this}. */
    private final Map<String, BudgetShards.Shard> known = new HashMap<>();
    private volatile Instant fallbackUntil = Instant.MIN;
    private final AtomicLong shared = new AtomicLong();
    private final Map<String, AtomicLong> local = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong storeRequests = new AtomicLong();
    private final AtomicLong waitedNanos = new AtomicLong();
    private final AtomicLong deferred = new AtomicLong();

    /**
     * @param identity this node's name: the shards' holder
     * @param time     its clock (the shards' refill), waits and jitter; virtual in the fleet simulation
     */
    public ShardedBudget(ShardStore store, String identity, Settings settings, Ec2Guard.Time time) {
        this.store = store;
        this.identity = identity;
        this.settings = settings;
        this.time = time;
        // Each node looks at an API's shards from a place of its own: nodes starting together spread over them.
        int start = Math.floorMod(identity.hashCode(), 1 << 16);
        settings.buckets().forEach((api, bucket) -> {
            shardBuckets.put(api, bucket.split(settings.shards()));
            List<String> names = BudgetShards.names(api, settings.shards());
            List<String> rotated = new ArrayList<>(names.subList(start % names.size(), names.size()));
            rotated.addAll(names.subList(0, start % names.size()));
            order.put(api, List.copyOf(rotated));
        });
    }

    @Override
    public Grant acquire(String operation) throws InterruptedException {
        List<String> names = order.get(operation);
        if (names == null) {
            return local("not budgeted");
        }
        if (time.clock().instant().isBefore(fallbackUntil)) {
            return local("shard store unreachable");
        }
        Instant started = time.clock().instant();
        Instant deadline = started.plus(settings.maxWait());
        boolean finishing = FINISHING.contains(operation);
        CallBudget.Priority priority = finishing ? CallBudget.Priority.DEMAND : CallBudget.priority();
        try {
            while (true) {
                Instant now = time.clock().instant();
                BudgetShards.Decision decision;
                synchronized (this) {
                    Duration left = now.isBefore(deadline) ? Duration.between(now, deadline) : Duration.ZERO;
                    if (priority == CallBudget.Priority.TOP_UP && left.compareTo(settings.topUpWait()) > 0) {
                        left = settings.topUpWait();
                    }
                    decision = BudgetShards.decide(names, known, now, shardBuckets.get(operation), settings.margin(),
                            left, settings.maxJitter());
                }
                switch (decision) {
                    case BudgetShards.Decision.Take take -> {
                        storeRequests.incrementAndGet();
                        Optional<BudgetShards.Shard> taken = store.take(take.shard(), identity, now,
                                take.tokensLeft());
                        synchronized (this) {
                            if (taken.isEmpty()) {
                                // Another node took it: the others known of this API are likely stale too.
                                names.forEach(known::remove);
                                continue;
                            }
                            known.put(take.shard().name(), taken.get());
                        }
                        if (take.until().isPositive()) {
                            time.sleep(take.until()); // the token reserved: its turn
                        }
                        shared.incrementAndGet();
                        waitedNanos.addAndGet(Duration.between(started, time.clock().instant()).toNanos());
                        return new Grant.Shared(take.shard().name());
                    }
                    case BudgetShards.Decision.Read read -> {
                        storeRequests.incrementAndGet();
                        BudgetShards.Shard shard = store.read(read.name());
                        synchronized (this) {
                            known.put(read.name(), shard);
                        }
                    }
                    case BudgetShards.Decision.None none -> {
                        if (finishing) {
                            // Deferring it would undo what the action did (an ENI created and attached is deleted).
                            return local("no " + operation + " token within " + settings.maxWait().toMillis()
                                    + " ms for a call that finishes an action");
                        }
                        // Not sent on the node's own rate: the account's bucket is spoken for, EC2 would refuse it.
                        deferred.incrementAndGet();
                        return new Grant.Deferred(priority == CallBudget.Priority.TOP_UP
                                ? "no " + operation + " token to spare for a warm-target top-up"
                                        + " within " + settings.topUpWait().toMillis() + " ms: the next in "
                                        + none.earliest().toMillis() + " ms"
                                : "no " + operation + " token within " + settings.maxWait().toMillis()
                                        + " ms: the account's next is " + none.earliest().toMillis() + " ms away");
                    }
                }
            }
        } catch (RuntimeException e) {
            fallbackUntil = time.clock().instant().plus(settings.fallbackFor());
            LOG.log(Level.WARNING, "EC2 call budget: the shard store failed (" + e.getMessage() + "); " + operation
                    + " and the other budgeted calls go on this node's own rate for "
                    + settings.fallbackFor().toSeconds() + " s");
            return local("shard store unreachable");
        }
    }

    private Grant local(String reason) {
        local.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
        return new Grant.Local(reason);
    }

    /** Calls granted a shard. */
    public long sharedGrants() {
        return shared.get();
    }

    /**
     * Calls let go on the node's own rate, by reason (not budgeted, store unreachable, a finishing call without a
     * token in time).
     */
    public Map<String, Long> localGrants() {
        return local.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get(),
                (a, b) -> a, TreeMap::new));
    }

    /** Calls deferred unsent: top-ups without a token to spare, calls whose turn was beyond the longest wait. */
    public long deferredGrants() {
        return deferred.get();
    }

    /** Time the calls granted a token spent getting it (reads, takes, waits), in all. */
    public Duration waited() {
        return Duration.ofNanos(waitedNanos.get());
    }

    /** Reads and takes sent to the store (the API server's load from this node). */
    public long storeRequests() {
        return storeRequests.get();
    }
}
