package io.vpccni.eni.guard;

import io.vpccni.eni.error.Ec2Failure;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Per-API request counts, error counts by EC2 error code, total latency and a latency histogram; thread-safe. */
public final class Ec2CallStats implements Ec2CallObserver {

    /**
     * The EC2 latency histogram's bucket bounds, seconds, for one attempt of a call: from tens of milliseconds
     * (describe, assign) to seconds (create and attach: about 3.5 s with attachment complete, BENCHMARKS.md), up to
     * the SDK's timeouts.
     */
    public static final double[] LATENCY_BUCKETS_SECONDS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> latencyMillis = new ConcurrentHashMap<>();
    private final Map<String, LatencyHistogram> latencyBuckets = new ConcurrentHashMap<>();
    private final Map<Class<? extends Ec2Failure>, LongAdder> failuresByKind = new ConcurrentHashMap<>();

    @Override
    public void called(String operation, Duration latency, Optional<Ec2Failure> failure) {
        calls.computeIfAbsent(operation, k -> new LongAdder()).increment();
        latencyMillis.computeIfAbsent(operation, k -> new LongAdder()).add(latency.toMillis());
        latencyBuckets.computeIfAbsent(operation, k -> new LatencyHistogram(LATENCY_BUCKETS_SECONDS))
                .record(latency.toNanos());
        failure.ifPresent(f -> {
            errors.computeIfAbsent(operation + "/" + errorName(f), k -> new LongAdder()).increment();
            failuresByKind.computeIfAbsent(f.getClass(), k -> new LongAdder()).increment();
        });
    }

    /** Requests per API, sorted by name. */
    public Map<String, Long> calls() {
        return snapshot(calls);
    }

    /** Failed requests keyed "Operation/ErrorCode". */
    public Map<String, Long> errors() {
        return snapshot(errors);
    }

    public Map<String, Long> latencyMillisTotal() {
        return snapshot(latencyMillis);
    }

    /** Per API, sorted by name, its latency in {@link #LATENCY_BUCKETS_SECONDS}. */
    public Map<String, LatencyHistogram.Snapshot> latencyHistograms() {
        Map<String, LatencyHistogram.Snapshot> copy = new TreeMap<>();
        latencyBuckets.forEach((api, histogram) -> copy.put(api, histogram.snapshot()));
        return copy;
    }

    /** Failed requests of one kind (e.g. {@code Ec2Failure.Throttled.class}) across all APIs. */
    public long failures(Class<? extends Ec2Failure> kind) {
        LongAdder adder = failuresByKind.get(kind);
        return adder == null ? 0 : adder.sum();
    }

    public long calls(String operation) {
        LongAdder adder = calls.get(operation);
        return adder == null ? 0 : adder.sum();
    }

    public long totalCalls() {
        return calls.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private static String errorName(Ec2Failure failure) {
        return failure.errorCode().isEmpty() ? failure.getClass().getSimpleName() : failure.errorCode();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> source) {
        Map<String, Long> copy = new TreeMap<>();
        source.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }
}
