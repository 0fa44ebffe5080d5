package io.vpccni.it.vpc;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Everything the harness created, undone in reverse order: on close, when setup fails half-way, and from a JVM
 * shutdown hook when the run is interrupted (Ctrl-C), so no namespace, process or emulator VPC outlives it.
 */
public final class Teardown implements AutoCloseable {

    private record Step(String what, Object resource, AutoCloseable action) {}

    private final Deque<Step> steps = new ArrayDeque<>();
    private final Thread hook = new Thread(this::runAll, "vpc-teardown");
    private boolean closed;

    public Teardown() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Registers {@code action} to run before everything registered earlier; returns {@code resource}. */
    public synchronized <T> T add(String what, T resource, AutoCloseable action) {
        if (closed) {
            quietly(new Step(what, resource, action));
            throw new IllegalStateException("torn down already; undid " + what);
        }
        steps.push(new Step(what, resource, action));
        return resource;
    }

    /**
     * Drops the steps registered for {@code resource} without running them: it was already undone by hand. Keeps
     * a churn of thousands of pods from leaving thousands of no-op steps (each a process run) for teardown.
     */
    public synchronized void forget(Object resource) {
        steps.removeIf(step -> step.resource() == resource);
    }

    public <T extends AutoCloseable> T add(String what, T resource) {
        return add(what, resource, resource);
    }

    @Override
    public void close() {
        runAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is what is running us
        }
    }

    private void runAll() {
        while (true) {
            Step step;
            synchronized (this) {
                closed = true;
                step = steps.poll();
            }
            if (step == null) {
                return;
            }
            quietly(step);
        }
    }

    // One failed step must not stop the others: a leftover namespace is worse than a noisy log.
    private static void quietly(Step step) {
        try {
            step.action().close();
        } catch (Exception | Error e) {
            System.err.println("[vpc] teardown of " + step.what() + " failed: " + e);
        }
    }
}
