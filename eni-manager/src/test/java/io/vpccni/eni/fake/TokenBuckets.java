package io.vpccni.eni.fake;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

/**
 * EC2's request token buckets (EC2 developer guide, "Request throttling for the Amazon EC2 API"), one per API of the
 * account, as the emulator's fidelity layer keeps them: a request takes a token or is refused, tokens come back at
 * the refill rate up to the capacity. Time is the fake's clock, so a simulation in virtual time refills in
 * virtual time.
 */
final class TokenBuckets {

    /** The three categories EC2 documents, with their default capacity and refill per second. */
    enum Category {
        MUTATING(50, 5),
        NON_MUTATING(100, 20),
        UNFILTERED_NON_MUTATING(50, 10);

        final int capacity;
        final int refillPerSecond;

        Category(int capacity, int refillPerSecond) {
            this.capacity = capacity;
            this.refillPerSecond = refillPerSecond;
        }

        /** As the emulator decides: every API that is not a describe mutates; a describe without ids or filters is unfiltered. */
        static Category of(String operation, boolean narrowed) {
            if (!operation.startsWith("Describe")) {
                return MUTATING;
            }
            return narrowed ? NON_MUTATING : UNFILTERED_NON_MUTATING;
        }
    }

    private record Bucket(double tokens, Instant last) {}

    private final InstantSource clock;
    private final Map<String, Bucket> buckets = new HashMap<>();

    TokenBuckets(InstantSource clock) {
        this.clock = clock;
    }

    /** Takes a token from the API's bucket; false when it has none (EC2 answers RequestLimitExceeded). */
    synchronized boolean take(String operation, Category category) {
        Instant now = clock.instant();
        Bucket bucket = buckets.getOrDefault(operation, new Bucket(category.capacity, now));
        double seconds = Math.max(0, Duration.between(bucket.last(), now).toNanos() / 1e9);
        double tokens = Math.min(category.capacity, bucket.tokens() + seconds * category.refillPerSecond);
        if (tokens < 1) {
            buckets.put(operation, new Bucket(tokens, now));
            return false;
        }
        buckets.put(operation, new Bucket(tokens - 1, now));
        return true;
    }

    synchronized void reset() {
        buckets.clear();
    }
}
