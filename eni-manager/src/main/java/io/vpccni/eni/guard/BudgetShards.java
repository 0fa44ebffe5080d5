package io.vpccni.eni.guard;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The pure decision behind {@link ShardedBudget}: which of an API's budget shards a node takes, reads or waits for.
 *
 * <p>An API whose account bucket refills at {@code r} calls a second gets {@code floor(r * term)} shards; holding a
 * shard for one term lets its holder send one call. However many nodes there are, at most one call per shard per
 * term goes out, so the account's rate stays at or under the refill and EC2's bucket is never drained (a margin for
 * clocks that differ between nodes is added to every term). With a term of capacity / refill (EC2's mutating bucket:
 * 50 / 5 = 10 s) there are as many shards as the bucket has tokens: a burst of its size goes at once. A node looks at the shards from a place of its own
 * (spreading the nodes over them), takes the first free one it knows of, reads one it does not know yet, and when
 * every shard is held waits for the first to come free, plus a jitter that grows with the times it found none.
 */
public final class BudgetShards {

    /** Lease names: {@code vpc-cni-ec2-budget-<api in lower case>-<n>}. */
    public static final String PREFIX = "vpc-cni-ec2-budget-";

    private BudgetShards() {}

    /**
     * A shard as last read.
     *
     * @param holder  the node holding it; empty when nobody ever did
     * @param renewed when its holder took it
     * @param term    how long a holder holds it
     * @param version the store's version (a Lease's resourceVersion); empty when the shard does not exist yet
     */
    public record Shard(String name, Optional<String> holder, Instant renewed, Duration term, Optional<String> version) {

        public static Shard absent(String name) {
            return new Shard(name, Optional.empty(), Instant.EPOCH, Duration.ZERO, Optional.empty());
        }

        /** When another node may take it: the holder's term over, plus {@code margin}. */
        public Instant freeAt(Duration margin) {
            return holder.isEmpty() ? Instant.MIN : renewed.plus(term).plus(margin);
        }
    }

    /** What the node does next. */
    public sealed interface Decision {
        /** Take the shard as known (create it when absent). */
        record Take(Shard shard) implements Decision {}

        /** Read the shard: nothing is known of it yet. */
        record Read(String name) implements Decision {}

        /** Every shard is held: look again after this long. */
        record Wait(Duration duration) implements Decision {}
    }

    /** How many shards an API whose bucket refills at {@code callsPerSecond} has, for holders of {@code term}. */
    public static int count(double callsPerSecond, Duration term) {
        if (!(callsPerSecond > 0) || !term.isPositive()) {
            throw new IllegalArgumentException("a budget needs a positive rate and term, not " + callsPerSecond
                    + " calls/s for " + term);
        }
        return Math.max(1, (int) Math.floor(callsPerSecond * term.toNanos() / 1e9));
    }

    /** The names of an API's shards, in order. */
    public static List<String> names(String operation, int count) {
        String api = operation.toLowerCase(Locale.ROOT);
        if (!api.matches("[a-z0-9]+")) {
            throw new IllegalArgumentException("an EC2 API name is letters and digits, not " + operation);
        }
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> PREFIX + api + "-" + i).toList();
    }

    /**
     * @param names  the API's shards, in the order this node looks at them
     * @param known  the shards as last read or taken (by name); a name missing is unknown
     * @param margin added to each term for clocks that differ
     * @param misses how many times in a row this node found every shard held
     * @param random uniform in [0, 1): the jitter
     * @param maxJitter the jitter's cap
     */
    public static Decision decide(List<String> names, Map<String, Shard> known, Instant now, Duration margin,
                                  int misses, double random, Duration maxJitter) {
        Optional<String> unknown = Optional.empty();
        Instant firstFree = Instant.MAX;
        for (String name : names) {
            Shard shard = known.get(name);
            if (shard == null) {
                unknown = unknown.or(() -> Optional.of(name));
                continue;
            }
            Instant free = shard.freeAt(margin);
            if (!free.isAfter(now)) {
                return new Decision.Take(shard);
            }
            firstFree = free.isBefore(firstFree) ? free : firstFree;
        }
        if (unknown.isPresent()) {
            return new Decision.Read(unknown.get());
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("an API with no shards cannot be budgeted");
        }
        long capNanos = Math.min(maxJitter.toNanos(), Duration.ofMillis(50).toNanos() << Math.min(misses, 20));
        return new Decision.Wait(Duration.between(now, firstFree).plusNanos((long) (random * capNanos)));
    }
}
