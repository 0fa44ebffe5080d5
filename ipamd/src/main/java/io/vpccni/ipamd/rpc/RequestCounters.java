package io.vpccni.ipamd.rpc;

import io.vpccni.rpc.message.IpamRequest;

/** Counts of plugin requests, for the awscni_* metrics; the handler keeps no counters itself. */
public interface RequestCounters {

    /** A request was answered {@code nanos} after the handler got it decoded; called on the request's thread. */
    void served(IpamRequest request, long nanos);

    void addRequested();

    void delRequested();

    void noAvailableAddress();

    RequestCounters NONE = new RequestCounters() {
        @Override
        public void served(IpamRequest request, long nanos) {}

        @Override
        public void addRequested() {}

        @Override
        public void delRequested() {}

        @Override
        public void noAvailableAddress() {}
    };
}
