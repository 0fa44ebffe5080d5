package io.vpccni.ipamd.app;

import io.vpccni.ipamd.introspect.NodeView;
import io.vpccni.ipamd.rpc.RequestCounters;
import java.util.concurrent.atomic.LongAdder;

/** Plugin request counts since start. */
final class DaemonCounters implements RequestCounters {

    private final LongAdder adds = new LongAdder();
    private final LongAdder dels = new LongAdder();
    private final LongAdder noAddress = new LongAdder();

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

    NodeView.RequestStats snapshot() {
        return new NodeView.RequestStats(adds.sum(), dels.sum(), noAddress.sum());
    }
}
