package io.vpccni.ipamd.rpc;

import io.vpccni.eni.guard.LatencyHistogram;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.GcRequest;
import io.vpccni.rpc.message.IpamRequest;
import io.vpccni.rpc.message.StatusRequest;
import java.util.Map;

/**
 * How long the handler took to answer adds, dels and garbage collections, as histograms; status requests are not
 * timed (the shim's health probe, no work). Thread-safe, no lock and no allocation per request.
 */
public final class RequestDurations {

    /**
     * Bucket bounds, seconds. A warm add is served in a few milliseconds, checkpoint fsync included (one alone: 2.7-4.6
     * ms; with 50 in flight on 2 CPUs p50 19 ms, p99 49 ms, BENCHMARKS.md); an add that waits for the pool to grow
     * waits up to VPC_CNI_ADD_WAIT (20 s by default, 25 s at most), an ENI attach taking about 3.5 s.
     */
    public static final double[] BUCKETS_SECONDS =
            {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20};

    private final LatencyHistogram add = new LatencyHistogram(BUCKETS_SECONDS);
    private final LatencyHistogram del = new LatencyHistogram(BUCKETS_SECONDS);
    private final LatencyHistogram gc = new LatencyHistogram(BUCKETS_SECONDS);

    public void record(IpamRequest request, long nanos) {
        switch (request) {
            case AddRequest a -> add.record(nanos);
            case DelRequest d -> del.record(nanos);
            case GcRequest g -> gc.record(nanos);
            case StatusRequest s -> { }
        }
    }

    /** By operation: "add", "del", "gc". */
    public Map<String, LatencyHistogram.Snapshot> snapshot() {
        return Map.of("add", add.snapshot(), "del", del.snapshot(), "gc", gc.snapshot());
    }
}
