package io.vpccni.ipamd.hostnet;

import java.util.ArrayList;
import java.util.List;

/**
 * What a reconcile step changed on the host, one sentence per change ("added rule 32765: from 10.0.1.5 lookup 2").
 * Empty means the host already matched: callers and tests use {@link #isNoop()} to prove idempotence.
 */
public record Changes(List<String> actions) {
    public Changes {
        actions = List.copyOf(actions);
    }

    public static Changes none() {
        return new Changes(List.of());
    }

    public boolean isNoop() {
        return actions.isEmpty();
    }

    public Changes plus(Changes other) {
        List<String> all = new ArrayList<>(actions);
        all.addAll(other.actions);
        return new Changes(all);
    }

    /** Accumulates actions while a reconcile runs; not thread-safe (one per call). */
    static final class Recorder {
        private final List<String> actions = new ArrayList<>();

        void add(String action) {
            actions.add(action);
        }

        Changes done() {
            return new Changes(actions);
        }
    }
}
