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
 * (less a margin for clocks that differ between nodes), and may be below zero: tokens reserved by nodes waiting for
 * them. A node looks at the shards from a place of its own (spreading the nodes over them), takes a call from the
 * first it knows to have a token, reads one it does not know yet, and when none has a token reserves the next one a
 * shard refills after those reserved before (one write, then a wait of exactly its turn) instead of polling for it:
 * the wait grows with the queue the shard records, and the API server sees about one write per call however many
 * nodes wait. A reserved call goes when the shard's bucket would have had the token, so the bound above holds.
 * A warm-target top-up ({@link CallBudget.Priority#TOP_UP}) may be given a shorter horizon than the pods', leaving
 * the deep part of a queue to them.
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
     * @param tokens  the tokens it had left then; below zero, tokens reserved by nodes waiting for them
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

        /** How long from {@code now} until it has a whole token (after the margin, when it was taken just now). */
        Duration turn(Instant now, Bucket bucket, Duration margin) {
            double missing = 1 - tokensAt(now, bucket, margin);
            if (missing <= 0) {
                return Duration.ZERO;
            }
            long refillStarts = version.isEmpty() || holder.isEmpty() ? 0
                    : Math.max(0, Duration.between(now, renewed.plus(margin)).toNanos());
            return Duration.ofNanos(refillStarts + (long) Math.ceil(missing / bucket.refillPerSecond() * 1e9));
        }
    }

    /** What the node does next. */
    public sealed interface Decision {
        /**
         * Take one token of the shard as known, leaving {@code tokensLeft} (create it when absent), then wait
         * {@code until} before the call: a take from a shard with no whole token reserves the token the shard
         * refills next, after those reserved before it, and records the debt ({@code tokensLeft} below zero) so
         * that the next node reserves the one after.
         */
        record Take(Shard shard, double tokensLeft, Duration until) implements Decision {}

        /** Read the shard: nothing is known of it yet. */
        record Read(String name) implements Decision {}

        /** No shard known has a token for this call within the time it may wait; the earliest one, for the log. */
        record None(Duration earliest) implements Decision {}
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
     * What the node does next for one call. A node that knows a shard with nodes queued on it (tokens below zero)
     * reads no more shards: the nodes spread over the shards, so the others likely have queues as long, and each read
     * costs the API server a request (a take on a stale one, a lost write and a read). It queues there. Whom the call
     * serves is in its horizon ({@link ShardedBudget.Settings#topUpWait}).
     *
     * @param names    the API's shards, in the order this node looks at them
     * @param known    the shards as last read or taken (by name); a name missing is unknown
     * @param shard    each shard's bucket ({@link Bucket#split} of the API's)
     * @param margin   taken off the time since a shard's last take, for clocks that differ
     * @param horizon  the longest this call may wait for its token
     * @param spread   how much later than the earliest turn the node may reserve, to spread nodes queueing together
     *                 over the shards; at most one refill interval of a shard is used
     */
    public static Decision decide(List<String> names, Map<String, Shard> known, Instant now, Bucket shard,
                                  Duration margin, Duration horizon, Duration spread) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("an API with no shards cannot be budgeted");
        }
        Optional<String> unknown = Optional.empty();
        boolean anyKnown = false;
        boolean queued = false;
        for (String name : names) {
            Shard known1 = known.get(name);
            if (known1 == null) {
                unknown = unknown.or(() -> Optional.of(name));
                continue;
            }
            anyKnown = true;
            double tokens = known1.tokensAt(now, shard, margin);
            queued |= tokens < 0;
            if (tokens >= 1) {
                return new Decision.Take(known1, tokens - 1, Duration.ZERO);
            }
        }
        if (unknown.isPresent() && !queued) {
            return new Decision.Read(unknown.get());
        }
        // Every shard known is empty or owes tokens to nodes queued before. A node that polled for the next token
        // would lose to the others most of the time, and every loss costs a write and a read; a reservation costs
        // one write and waits exactly its turn. Known tokens only overstate what a shard has (the takes of others
        // lower it), so a known turn is the earliest the node can have.
        long earliest = Long.MAX_VALUE;
        long[] turns = new long[names.size()];
        for (int i = 0; i < names.size(); i++) {
            Shard known1 = known.get(names.get(i));
            turns[i] = known1 == null ? Long.MAX_VALUE : known1.turn(now, shard, margin).toNanos();
            earliest = Math.min(earliest, turns[i]);
        }
        if (earliest > horizon.toNanos()) {
            return new Decision.None(Duration.ofNanos(earliest));
        }
        // Nodes queueing together would all pick the shard whose turn comes first and all but one lose the write:
        // each takes, in its own order, the first shard whose turn is within the spread of the earliest, which
        // spreads them over the shards at the cost of at most the spread.
        long later = Math.min(spread.toNanos(), (long) Math.ceil(1e9 / shard.refillPerSecond()));
        for (int i = 0; i < names.size(); i++) {
            if (turns[i] <= Math.min(earliest + later, horizon.toNanos())) {
                Shard chosen = known.get(names.get(i));
                return new Decision.Take(chosen, chosen.tokensAt(now, shard, margin) - 1, Duration.ofNanos(turns[i]));
            }
        }
        throw new IllegalStateException("the earliest turn is among the shards");
    }
}
