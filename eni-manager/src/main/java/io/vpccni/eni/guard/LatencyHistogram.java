package io.vpccni.eni.guard;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durations counted into fixed buckets, for a Prometheus histogram: {@link #record} is one binary search over the
 * bounds, one atomic increment and one {@code LongAdder} add, no lock and no allocation, so it can sit on every EC2
 * call and every plugin request. Here rather than in ipamd because this is the lowest module both of those share.
 *
 * <p>A snapshot reads the buckets one by one while others record: its count is the sum of the buckets it read, so
 * the +Inf bucket always equals the count; the sum may include an observation the buckets do not yet (Prometheus's
 * own clients allow the same).
 */
public final class LatencyHistogram {

    private final double[] upperBoundsSeconds;
    private final long[] upperBoundsNanos;
    /** One slot per bound, plus the slot above the last bound. Not cumulative. */
    private final AtomicLongArray counts;
    private final LongAdder sumNanos = new LongAdder();

    /** @param upperBoundsSeconds the buckets' inclusive upper bounds, increasing, finite and positive */
    public LatencyHistogram(double... upperBoundsSeconds) {
        if (upperBoundsSeconds.length == 0) {
            throw new IllegalArgumentException("a histogram needs at least one bucket bound");
        }
        this.upperBoundsSeconds = upperBoundsSeconds.clone();
        this.upperBoundsNanos = new long[upperBoundsSeconds.length];
        for (int i = 0; i < upperBoundsSeconds.length; i++) {
            double bound = upperBoundsSeconds[i];
            if (!(bound > 0) || Double.isInfinite(bound) || i > 0 && bound <= upperBoundsSeconds[i - 1]) {
                throw new IllegalArgumentException("bucket bounds must be finite, positive and increasing: "
                        + Arrays.toString(upperBoundsSeconds));
            }
            upperBoundsNanos[i] = Math.round(bound * 1e9);
        }
        this.counts = new AtomicLongArray(upperBoundsSeconds.length + 1);
    }

    /** Counts one duration; a negative one (a clock that stepped back) counts as zero. */
    public void record(long nanos) {
        long value = Math.max(0, nanos);
        int at = Arrays.binarySearch(upperBoundsNanos, value);
        counts.incrementAndGet(at >= 0 ? at : -at - 1);
        sumNanos.add(value);
    }

    public Snapshot snapshot() {
        long[] cumulative = new long[upperBoundsSeconds.length];
        long running = 0;
        for (int i = 0; i < cumulative.length; i++) {
            running += counts.get(i);
            cumulative[i] = running;
        }
        long count = running + counts.get(upperBoundsSeconds.length);
        return new Snapshot(upperBoundsSeconds.clone(), cumulative, sumNanos.sum() / 1e9, count);
    }

    /**
     * @param upperBoundsSeconds the bucket bounds, without +Inf
     * @param cumulativeCounts   observations at or below each bound
     * @param sumSeconds         the observations' total
     * @param count              all observations, the +Inf bucket
     */
    public record Snapshot(double[] upperBoundsSeconds, long[] cumulativeCounts, double sumSeconds, long count) {
        public Snapshot {
            if (upperBoundsSeconds.length != cumulativeCounts.length) {
                throw new IllegalArgumentException("one cumulative count per bound: " + upperBoundsSeconds.length
                        + " bounds, " + cumulativeCounts.length + " counts");
            }
            upperBoundsSeconds = upperBoundsSeconds.clone();
            cumulativeCounts = cumulativeCounts.clone();
        }

        @Override
        public double[] upperBoundsSeconds() {
            return upperBoundsSeconds.clone();
        }

        @Override
        public long[] cumulativeCounts() {
            return cumulativeCounts.clone();
        }
    }
}
