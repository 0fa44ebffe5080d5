package io.vpccni.netlink.ns;

import io.vpccni.netlink.error.Errno;
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
 * (see {@code KernelNetlink.openIn}).
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

    /**
     * Opens {@code path} only if it is a network namespace other than this process's own and other than
     * {@code refused} (e.g. the namespace a daemon treats as the host's): what a path from a request (CNI_NETNS)
     * must be before anything is done in it. The path is first opened with O_PATH, which never blocks and opens
     * nothing (a FIFO, a device); the file it names is judged by stat(2) through that descriptor (a namespace file
     * is on the device of {@code /proc/self/ns/net}, and is this process's own when its inode is the same); only
     * then is it opened for real, through the same descriptor, and entered once on a throwaway thread, which the
     * kernel refuses for a namespace of another kind.
     *
     * @throws NetlinkException.NoSuchObject when the file does not exist
     * @throws Rejected                      when it is not a network namespace, or is this process's own or refused
     */
    public static NetNs openForeign(Path path, java.util.List<NetNs> refused) {
        int handle = LibC.openPathOnly(path.toString());
        try {
            return judged(handle, path, refused);
        } finally {
            LibC.close(handle);
        }
    }

    /**
     * As {@link #openForeign(Path, java.util.List)} for a descriptor someone handed over (the plugin shim passes
     * the pod's namespace over its socket): the file behind {@code descriptor} is judged the same way and opened
     * anew, so the returned handle is the caller's and {@code descriptor} stays the giver's to close.
     * {@code name} says in messages and thread names what the descriptor stands for.
     *
     * @throws Rejected when it is not a network namespace, or is this process's own or refused
     */
    public static NetNs openForeign(int descriptor, Path name, java.util.List<NetNs> refused) {
        return judged(descriptor, name, refused);
    }

    private static NetNs judged(int handle, Path path, java.util.List<NetNs> refused) {
        Path self = Path.of("/proc/self/fd/" + handle);
        FileId target = FileId.of(self);
        FileId own = FileId.of(Path.of("/proc/self/ns/net"));
        if (target.dev() != own.dev()) {
            throw new Rejected(path + " is " + kind(target.mode()) + ", not a network namespace");
        }
        if (target.equals(own)) {
            throw new Rejected(path + " is this process's own network namespace (net:[" + own.ino() + "])");
        }
        for (NetNs other : refused) {
            if (target.equals(FileId.of(Path.of("/proc/self/fd/" + other.fd())))) {
                throw new Rejected(path + " is the host's network namespace " + other.path() + " (net:["
                        + target.ino() + "])");
            }
        }
        NetNs ns = new NetNs(path, LibC.openReadOnly(self.toString()));
        try {
            ns.run(() -> null);
        } catch (NetlinkException e) {
            ns.close();
            if (e.errno() != Errno.EINVAL) {
                throw e; // e.g. EPERM without CAP_SYS_ADMIN: no judgement of the path
            }
            throw new Rejected(path + " is a namespace of another kind, not a network namespace ("
                    + e.getMessage() + ")");
        }
        return ns;
    }

    /** A path that is not a network namespace this process may work in. */
    public static final class Rejected extends RuntimeException {
        public Rejected(String message) {
            super(message);
        }
    }

    /** stat(2) of a file, following links: what tells namespaces apart. */
    private record FileId(long dev, long ino, int mode) {
        static FileId of(Path path) {
            try {
                var attributes = java.nio.file.Files.readAttributes(path, "unix:dev,ino,mode");
                return new FileId((Long) attributes.get("dev"), (Long) attributes.get("ino"),
                        (Integer) attributes.get("mode"));
            } catch (java.io.IOException e) {
                throw new Rejected("cannot tell what " + path + " is: " + e.getMessage());
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FileId f && f.dev == dev && f.ino == ino;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(dev) * 31 + Long.hashCode(ino);
        }
    }

    private static String kind(int mode) {
        return switch (mode & 0170000) {
            case 0100000 -> "a regular file";
            case 0040000 -> "a directory";
            case 0010000 -> "a FIFO";
            case 0140000 -> "a socket";
            case 0020000, 0060000 -> "a device";
            case 0120000 -> "a symbolic link";
            default -> "a file of mode " + Integer.toOctalString(mode);
        };
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
