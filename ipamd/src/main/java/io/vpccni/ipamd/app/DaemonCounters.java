package io.vpccni.ipamd.app;

import io.vpccni.ipamd.introspect.NodeView;
import io.vpccni.eni.guard.LatencyHistogram;
import io.vpccni.ipamd.rpc.RequestCounters;
import io.vpccni.ipamd.rpc.RequestDurations;
import io.vpccni.rpc.message.IpamRequest;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Plugin request counts and how long they took to serve, since start. */
final class DaemonCounters implements RequestCounters {

    private final LongAdder adds = new LongAdder();
    private final LongAdder dels = new LongAdder();
    private final LongAdder noAddress = new LongAdder();
    private final RequestDurations durations = new RequestDurations();

    @Override
    public void served(IpamRequest request, long nanos) {
        durations.record(request, nanos);
    }

    @Override
    public void addRequested() {
        adds.increment();
    }

    @Override
    public void delRequested() {
        dels.increment();
    }

    @Override
    public void noAvailableAddress() {
        noAddress.increment();
    }

    Map<String, LatencyHistogram.Snapshot> durations() {
        return durations.snapshot();
    }

    NodeView.RequestStats snapshot() {
        return new NodeView.RequestStats(adds.sum(), dels.sum(), noAddress.sum());
    }
}
