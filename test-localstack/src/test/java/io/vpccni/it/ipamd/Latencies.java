package io.vpccni.it.ipamd;

import java.util.Arrays;
import java.util.List;

/** Request latencies of a benchmark, in nanoseconds, summarised by nearest-rank percentiles. */
record Latencies(long[] sortedNanos) {

    static Latencies of(List<long[]> parts) {
        long[] all = parts.stream().flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(all);
        return new Latencies(all);
    }

    int count() {
        return sortedNanos.length;
    }

    double percentileMillis(double p) {
        int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
        return sortedNanos[Math.clamp(rank - 1, 0, sortedNanos.length - 1)] / 1e6;
    }

    double minMillis() {
        return sortedNanos[0] / 1e6;
    }

    double maxMillis() {
        return sortedNanos[sortedNanos.length - 1] / 1e6;
    }

    /** A markdown table row: label, count, p50 (the median), p90, p99, min, max. */
    String row(String label) {
        return "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f |".formatted(label, count(), percentileMillis(50),
                percentileMillis(90), percentileMillis(99), minMillis(), maxMillis());
    }

    static final String HEADER = "| requests | n | p50 | p90 | p99 | min | max |\n|---|---|---|---|---|---|---|";
}
