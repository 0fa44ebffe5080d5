package io.vpccni.ipamd.rpc;

/** Counts of plugin requests, for the awscni_* metrics; the handler keeps no counters itself. */
public interface RequestCounters {

    void addRequested();

    void delRequested();

    void noAvailableAddress();

    RequestCounters NONE = new RequestCounters() {
        @Override
        public void addRequested() {}

        @Override
        public void delRequested() {}

        @Override
        public void noAvailableAddress() {}
    };
}
