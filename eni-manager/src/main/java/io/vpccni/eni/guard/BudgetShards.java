package io.vpccni.eni.guard;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The pure decision behind {@link ShardedBudget}: which of an API's budget shards a node takes a call from, which it
 * reads, or how long it waits.
 *
 * <p>EC2's bucket for an API (capacity {@code C} tokens, refilled at {@code r} a second, the account's) is split into
 * {@code K} shards, each a bucket of its own of {@code C / K} tokens refilled at {@code r / K}: whatever the nodes
 * do, in any window of {@code w} seconds the shards let at most {@code K (C / K + w r / K) = C + r w} calls go, what
 * EC2's bucket lets go, so EC2 never has to throttle them; and a burst as large as EC2's bucket still goes at once.
 * A shard records its tokens after the last take and when that was; its tokens now are computed from the time since
 * (less a margin for clocks that differ between nodes). A node looks at the shards from a place of its own
 * (spreading the nodes over them), takes a call from the first it knows to have a token, reads one it does not
 * know yet, and when none has a token waits for the first to get one, plus a jitter that grows with the times in a
 * row it found none.
 */
public final class BudgetShards {

    /** Lease names: {@code vpc-cni-ec2-budget-<api in lower case>-<n>}. */
    public static final String PREFIX = "vpc-cni-ec2-budget-";

    private BudgetShards() {}

    /** A token bucket: at most {@code capacity} tokens, refilled at {@code refillPerSecond}. */
    public record Bucket(double capacity, double refillPerSecond) {
        public Bucket {
            if (!(capacity >= 1) || !(refillPerSecond > 0)) {
                throw new IllegalArgumentException("a budget's bucket holds at least one token and refills, not "
                        + capacity + " tokens at " + refillPerSecond + "/s");
            }
        }

        /** One of {@code shards} equal parts: each must still hold a whole token. */
        public Bucket split(int shards) {
            if (shards < 1 || capacity / shards < 1) {
                throw new IllegalArgumentException("a bucket of " + capacity + " tokens cannot be split in "
                        + shards + " shards of at least one token each");
            }
            return new Bucket(capacity / shards, refillPerSecond / shards);
        }
    }

    /**
     * A shard as last read or taken.
     *
     * @param holder  the node that took from it last; empty when none ever did
     * @param renewed when that was
     * @param tokens  the tokens it had left then
     * @param version the store's version (a Lease's resourceVersion); empty when the shard does not exist yet
     */
    public record Shard(String name, Optional<String> holder, Instant renewed, double tokens, Optional<String> version) {

        public static Shard absent(String name) {
            return new Shard(name, Optional.empty(), Instant.EPOCH, 0, Optional.empty());
        }

        /** Its tokens at {@code now}: a shard never taken from is full. */
        public double tokensAt(Instant now, Bucket bucket, Duration margin) {
            if (version.isEmpty() || holder.isEmpty()) {
                return bucket.capacity();
            }
            long elapsed = Math.max(0, Duration.between(renewed.plus(margin), now).toNanos());
            return Math.min(bucket.capacity(), tokens + elapsed / 1e9 * bucket.refillPerSecond());
        }

        /** When it has a whole token again. */
        Instant tokenAt(Bucket bucket, Duration margin) {
            double missing = Math.max(0, 1 - tokens);
            return renewed.plus(margin).plusNanos((long) Math.ceil(missing / bucket.refillPerSecond() * 1e9));
        }
    }

    /** What the node does next. */
    public sealed interface Decision {
        /** Take one token of the shard as known, leaving {@code tokensLeft} (create it when absent). */
        record Take(Shard shard, double tokensLeft) implements Decision {}

        /** Read the shard: nothing is known of it yet. */
        record Read(String name) implements Decision {}

        /** No shard known has a token: look again after this long. */
        record Wait(Duration duration) implements Decision {}
    }

    /** The names of an API's shards, in order. */
    public static List<String> names(String operation, int count) {
        String api = operation.toLowerCase(Locale.ROOT);
        if (!api.matches("[a-z0-9]+") || count < 1) {
            throw new IllegalArgumentException("an EC2 API name is letters and digits, with at least one shard; not "
                    + operation + " with " + count);
        }
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> PREFIX + api + "-" + i).toList();
    }

    /**
     * @param names     the API's shards, in the order this node looks at them
     * @param known     the shards as last read or taken (by name); a name missing is unknown
     * @param shard     each shard's bucket ({@link Bucket#split} of the API's)
     * @param margin    taken off the time since a shard's last take, for clocks that differ
     * @param misses    how many times in a row this node found no token
     * @param random    uniform in [0, 1): the jitter
     * @param maxJitter the jitter's cap
     */
    public static Decision decide(List<String> names, Map<String, Shard> known, Instant now, Bucket shard,
                                  Duration margin, int misses, double random, Duration maxJitter) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("an API with no shards cannot be budgeted");
        }
        Optional<String> unknown = Optional.empty();
        Instant firstToken = Instant.MAX;
        for (String name : names) {
            Shard known1 = known.get(name);
            if (known1 == null) {
                unknown = unknown.or(() -> Optional.of(name));
                continue;
            }
            double tokens = known1.tokensAt(now, shard, margin);
            if (tokens >= 1) {
                return new Decision.Take(known1, tokens - 1);
            }
            Instant at = known1.tokenAt(shard, margin);
            firstToken = at.isBefore(firstToken) ? at : firstToken;
        }
        if (unknown.isPresent()) {
            return new Decision.Read(unknown.get());
        }
        long capNanos = Math.min(maxJitter.toNanos(), Duration.ofMillis(50).toNanos() << Math.min(misses, 20));
        Duration until = firstToken.isAfter(now) ? Duration.between(now, firstToken) : Duration.ZERO;
        return new Decision.Wait(until.plusNanos((long) (random * capNanos)));
    }
}
