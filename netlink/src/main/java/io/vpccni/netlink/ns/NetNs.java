package io.vpccni.netlink.ns;

import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.sys.LibC;

import java.nio.file.Path;

/**
 * An open handle on a network namespace: a file descriptor on {@code /var/run/netns/NAME},
 * {@code /proc/PID/ns/net} or similar, which keeps the namespace alive while open.
 *
 * <p>Why a dedicated thread for {@link #run}: setns(2) changes the namespace of the calling OS
 * thread only. A virtual thread moves between carrier threads, and a pooled platform thread
 * would carry the namespace into unrelated work, so each {@code run} starts a fresh platform
 * thread, switches it, runs the task, switches back, and lets the thread end. If switching back
 * fails the thread is still discarded, never reused. Netlink sockets do not need this beyond
 * their creation: a socket opened inside the namespace stays bound to it for its whole life
 * (see {@code Netlink.openIn}).
 *
 * <p>Closing is idempotent. Not a value: equality is identity.
 */
public final class NetNs implements AutoCloseable {
    private static final Path NAMED_DIR = Path.of("/var/run/netns");
    private static final String THREAD_SELF = "/proc/thread-self/ns/net";

    private final Path path;
    private final int fd;
    /** Written in the synchronized close; volatile, not an AtomicBoolean, whose VarHandle costs a plugin process about a millisecond. */
    private volatile boolean closed;

    private NetNs(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /**
     * Opens the namespace file at {@code path}.
     *
     * @throws NetlinkException.NoSuchObject when the file does not exist
     */
    public static NetNs open(Path path) {
        return new NetNs(path, LibC.openReadOnly(path.toString()));
    }

    /** A namespace made by {@code ip netns add NAME}: {@code /var/run/netns/NAME}. */
    public static NetNs named(String name) {
        if (name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("invalid netns name '" + name + "'");
        }
        return open(NAMED_DIR.resolve(name));
    }

    /** The namespace of process {@code pid}: {@code /proc/PID/ns/net}. */
    public static NetNs ofPid(long pid) {
        return open(Path.of("/proc", Long.toString(pid), "ns", "net"));
    }

    /** The calling thread's current namespace (the process's, unless called inside {@link #run}). */
    public static NetNs current() {
        return open(Path.of(THREAD_SELF));
    }

    /** The open descriptor, e.g. for IFLA_NET_NS_FD; valid until {@link #close()}. */
    public int fd() {
        if (closed) {
            throw new IllegalStateException("netns handle " + path + " is closed");
        }
        return fd;
    }

    public Path path() {
        return path;
    }

    /**
     * Runs {@code task} on a fresh platform thread inside this namespace and returns its result;
     * the caller waits. Use it for work that must happen there, e.g. writing that namespace's
     * {@code /proc/sys/net}. Threads the task starts inherit the namespace.
     *
     * @throws X                when the task does
     * @throws NetlinkException when entering the namespace fails (EINVAL: not a network namespace)
     */
    public <T, X extends Exception> T run(Task<T, X> task) throws X {
        int target = fd();
        Outcome<T> outcome = new Outcome<>();
        Thread worker = Thread.ofPlatform().name("netns:" + path).daemon(true)
                .unstarted(() -> runInside(target, task, outcome));
        worker.start();
        joinUninterruptibly(worker);
        if (outcome.failure == null) {
            return outcome.value;
        }
        if (outcome.failure instanceof RuntimeException r) {
            throw r;
        }
        if (outcome.failure instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked") // the task can only throw X or unchecked throwables
        X checked = (X) outcome.failure;
        throw checked;
    }

    private <T, X extends Exception> void runInside(int target, Task<T, X> task, Outcome<T> outcome) {
        int original;
        try {
            original = LibC.openReadOnly(THREAD_SELF);
        } catch (RuntimeException e) {
            outcome.failure = e;
            return;
        }
        try {
            LibC.setns(target, LibC.CLONE_NEWNET, path.toString());
            try {
                outcome.value = task.call();
            } catch (Throwable t) {
                outcome.failure = t;
            } finally {
                restore(original);
            }
        } catch (RuntimeException e) {
            outcome.failure = e;
        } finally {
            LibC.close(original);
        }
    }

    private void restore(int original) {
        try {
            LibC.setns(original, LibC.CLONE_NEWNET, "back to the original namespace");
        } catch (RuntimeException e) {
            // The thread ends right after this, so the wrong namespace cannot leak into other
            // work; the task's result stands.
            // Looked up here, not in a static field: finding the logging backend costs a
            // short-lived plugin process ~10 ms, and this line is almost never reached.
            System.getLogger(NetNs.class.getName()).log(System.Logger.Level.WARNING, "could not leave " + path + "; discarding the thread", e);
        }
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the task cannot be abandoned half-way inside a namespace
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the descriptor; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.close(fd);
        }
    }

    @Override
    public String toString() {
        return "NetNs[" + path + (closed ? ", closed]" : ", fd " + fd + "]");
    }

    /** A task for {@link #run}: like {@link java.util.concurrent.Callable}, with a precise exception type. */
    @FunctionalInterface
    public interface Task<T, X extends Exception> {
        T call() throws X;
    }

    /** Hand-off from the worker thread; {@link Thread#join} makes its writes visible. */
    private static final class Outcome<T> {
        T value;
        Throwable failure;
    }
}
