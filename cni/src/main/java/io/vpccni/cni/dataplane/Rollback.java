package io.vpccni.cni.dataplane;

import io.vpccni.cni.log.PluginLog;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Undo steps recorded as each piece of the data plane is built, run newest first when a later
 * step fails. Explicit on purpose (docs/conventions.md, "Rollback is explicit"): no deferred check of an error
 * variable that a shadowed assignment can silently skip.
 */
final class Rollback {
    private record Step(String what, Runnable undo) {}

    private final Deque<Step> steps = new ArrayDeque<>();
    private final PluginLog log;

    Rollback(PluginLog log) {
        this.log = log;
    }

    void push(String what, Runnable undo) {
        steps.push(new Step(what, undo));
    }

    /** Runs every step; a failing step is logged and added to {@code cause}, never thrown. */
    void run(Throwable cause) {
        while (!steps.isEmpty()) {
            Step s = steps.pop();
            try {
                s.undo().run();
                log.info("rollback: " + s.what());
            } catch (RuntimeException e) {
                log.error("rollback: " + s.what() + " failed: " + e.getMessage());
                cause.addSuppressed(e);
            }
        }
    }
}
