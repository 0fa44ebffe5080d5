package io.vpccni.ipamd.k8s;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reports node events at most once per {@link #window} for the same reason and subject: the pool maintainer hits
 * the same failure every tick, and one event per tick would flood the API server and hide everything else.
 */
public final class NodeEvents {

    private static final System.Logger LOG = System.getLogger(NodeEvents.class.getName());
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);

    private final Consumer<NodeEvent> sink;
    private final Clock clock;
    private final Duration window;
    private final Map<String, Instant> lastSent = new HashMap<>();

    /** @param sink sends the event; must not block (the maintainer thread reports through here) */
    public NodeEvents(Consumer<NodeEvent> sink, Clock clock, Duration window) {
        this.sink = sink;
        this.clock = clock;
        this.window = window;
    }

    public void warning(String reason, String subject, String message) {
        report(new NodeEvent(NodeEvent.Type.Warning, reason, subject, message));
    }

    /** Returns whether the event was sent (false: a duplicate within the window). */
    public boolean report(NodeEvent event) {
        Instant now = clock.instant();
        String key = event.reason() + "\u0000" + event.subject();
        synchronized (lastSent) {
            Instant last = lastSent.get(key);
            if (last != null && Duration.between(last, now).compareTo(window) < 0) {
                return false;
            }
            lastSent.put(key, now);
        }
        LOG.log(Level.WARNING, "event {0}: {1}", event.reason(), event.message());
        sink.accept(event);
        return true;
    }
}
