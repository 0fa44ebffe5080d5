package io.vpccni.eni.guard;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The account's EC2 budget held in shards every node of the cluster sees ({@link ShardStore}: Kubernetes Leases in
 * the daemon); the decisions are {@link BudgetShards}'. A call of a budgeted API goes once the node has taken one
 * of that API's shards for the term; a node finding them all held waits for the first to come free. What the node
 * learns of a shard (its holder, its term, its version) is kept, so that it reads only the shards it knows nothing
 * of or whose take lost to another node.
 *
 * <p>Robust by falling back to the node's own rate, never by failing a call: an API not in the budget, a store that
 * cannot be reached (then for {@link Settings#fallbackFor}, not asked again meanwhile) and a wait longer than
 * {@link Settings#maxWait} all answer {@link CallBudget.Grant.Local}.
 */
public final class ShardedBudget implements CallBudget {

    private static final System.Logger LOG = System.getLogger(ShardedBudget.class.getName());

    /**
     * @param callsPerSecond each budgeted API's account refill rate (EC2's buckets: mutating 5/s)
     * @param term           how long a shard is held for one call; whole seconds (a Lease's leaseDurationSeconds)
     * @param margin         added to every term for clocks that differ between nodes
     * @param maxWait        the longest a call waits for a shard before it goes on the node's own rate
     * @param fallbackFor    after the store failed, how long calls go on the node's own rate without asking it
     * @param maxJitter      the cap on the jitter added to a wait for a shard
     */
    public record Settings(Map<String, Double> callsPerSecond, Duration term, Duration margin, Duration maxWait,
                           Duration fallbackFor, Duration maxJitter) {
        public Settings {
            callsPerSecond = Map.copyOf(callsPerSecond);
            if (term.toMillis() < 1000 || term.toNanos() % 1_000_000_000L != 0 || margin.isNegative()
                    || maxWait.isNegative() || fallbackFor.isNegative() || maxJitter.isNegative()) {
                throw new IllegalArgumentException("a shard's term is whole seconds, at least one, and the waits are"
                        + " not negative; not term " + term + ", margin " + margin + ", wait " + maxWait
                        + ", fallback " + fallbackFor + ", jitter " + maxJitter);
            }
            callsPerSecond.values().forEach(rate -> BudgetShards.count(rate, term)); // a positive rate each
        }

        /**
         * The APIs the pool spends when it grows and shrinks, at EC2's default bucket for mutating APIs (50 tokens
         * refilled at 5 a second): terms of 10 s, so 50 shards each, the bucket's capacity. A burst as large as the
         * bucket goes at once, as EC2 would let it, and in any window of {@code w} seconds at most
         * {@code 50 + 50 * floor(w / 10) <= 50 + 5 w} calls go, never more than the bucket allows. Describes are
         * left to each node's own rate.
         */
        public static Settings ec2Defaults() {
            Map<String, Double> rates = new HashMap<>();
            for (String api : List.of("CreateNetworkInterface", "AttachNetworkInterface",
                    "ModifyNetworkInterfaceAttribute", "AssignPrivateIpAddresses", "UnassignPrivateIpAddresses",
                    "DetachNetworkInterface", "DeleteNetworkInterface", "CreateTags")) {
                rates.put(api, 5.0);
            }
            return new Settings(rates, Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofSeconds(60),
                    Duration.ofSeconds(30), Duration.ofSeconds(2));
        }
    }

    private final ShardStore store;
    private final String identity;
    private final Settings settings;
    private final Ec2Guard.Time time;
    private final Map<String, List<String>> order = new HashMap<>();
    /** What is known of each shard; guarded by {@code this}. */
    private final Map<String, BudgetShards.Shard> known = new HashMap<>();
    private volatile Instant fallbackUntil = Instant.MIN;
    private final AtomicLong shared = new AtomicLong();
    private final Map<String, AtomicLong> local = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong storeRequests = new AtomicLong();

    /**
     * @param identity this node's name: the shards' holder
     * @param time     its clock (a term's start and end), waits and jitter; virtual in the fleet simulation
     */
    public ShardedBudget(ShardStore store, String identity, Settings settings, Ec2Guard.Time time) {
        this.store = store;
        this.identity = identity;
        this.settings = settings;
        this.time = time;
        // Each node looks at an API's shards from a place of its own: nodes starting together spread over them.
        int start = Math.floorMod(identity.hashCode(), 1 << 16);
        settings.callsPerSecond().forEach((api, rate) -> {
            List<String> names = BudgetShards.names(api, BudgetShards.count(rate, settings.term()));
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
        Instant deadline = time.clock().instant().plus(settings.maxWait());
        int misses = 0;
        try {
            while (true) {
                Instant now = time.clock().instant();
                BudgetShards.Decision decision;
                synchronized (this) {
                    decision = BudgetShards.decide(names, known, now, settings.margin(), misses, time.random(),
                            settings.maxJitter());
                }
                switch (decision) {
                    case BudgetShards.Decision.Take take -> {
                        storeRequests.incrementAndGet();
                        Optional<BudgetShards.Shard> taken = store.take(take.shard(), identity, now, settings.term());
                        synchronized (this) {
                            if (taken.isPresent()) {
                                known.put(take.shard().name(), taken.get());
                                shared.incrementAndGet();
                                return new Grant.Shared(take.shard().name());
                            }
                            known.remove(take.shard().name()); // another node took it: read it again
                        }
                    }
                    case BudgetShards.Decision.Read read -> {
                        storeRequests.incrementAndGet();
                        BudgetShards.Shard shard = store.read(read.name());
                        synchronized (this) {
                            known.put(read.name(), shard);
                        }
                    }
                    case BudgetShards.Decision.Wait wait -> {
                        if (now.plus(wait.duration()).isAfter(deadline)) {
                            return local("no " + operation + " shard free within " + settings.maxWait().toMillis()
                                    + " ms");
                        }
                        misses++;
                        time.sleep(wait.duration());
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
        local.computeIfAbsent(reason.startsWith("no ") ? "no shard free in time" : reason, r -> new AtomicLong())
                .incrementAndGet();
        return new Grant.Local(reason);
    }

    /** Calls granted a shard. */
    public long sharedGrants() {
        return shared.get();
    }

    /** Calls let go on the node's own rate, by reason (not budgeted, store unreachable, no shard free in time). */
    public Map<String, Long> localGrants() {
        return local.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get(),
                (a, b) -> a, TreeMap::new));
    }

    /** Reads and takes sent to the store (the API server's load from this node). */
    public long storeRequests() {
        return storeRequests.get();
    }
}
