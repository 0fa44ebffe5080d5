package io.vpccni.cni.server;

import io.vpccni.cni.plugin.Dispatcher;
import io.vpccni.cni.spec.CniError;
import io.vpccni.cni.spec.CniVersion;
import io.vpccni.rpc.codec.Protocol;
import io.vpccni.rpc.log.LogText;
import io.vpccni.rpc.unix.BoundedServer;
import io.vpccni.rpc.unix.PassedDescriptor;
import io.vpccni.rpc.unix.UnixRequestServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs CNI invocations inside the node daemon, for the plugin shim that the container runtime
 * executes. A plugin JVM per pod costs 45 ms before it does anything (BENCHMARKS.md), three times
 * what Debian's Go plugins take for a whole ADD; the daemon's JVM is already running. The plugin's
 * code is the same {@link Dispatcher} the standalone plugin runs, on a platform thread per
 * invocation (its system calls block the OS thread, and namespace switches are per OS thread).
 *
 * <p>The pod's network namespace comes with the request: the shim opens CNI_NETNS in the runtime's mount
 * namespace, where the path means what the runtime meant, and passes the descriptor over the socket
 * (SCM_RIGHTS); the plugin then works in that namespace and never opens the runtime's path here. A request
 * without one (a shim older than this server, or a path the shim could not open as a network namespace:
 * gone, or not one) falls back to the path, as this process sees it: one it cannot see (a daemon in a
 * container, a {@code /proc/PID} path of another PID namespace, or the runtime's empty placeholder file
 * without the namespace mounted over it) is answered "unserved", and the shim runs the standalone plugin.
 *
 * <p>One invocation at a time per container and interface, in the order they arrive, as the CNI spec
 * requires of runtimes: a runtime whose deadline passes kills the shim and sends DEL while the ADD still
 * runs here, and that DEL must undo the ADD, not overtake it. An ADD whose shim is gone when its reply
 * is written (the write fails) is undone at once by the plugin's own DEL, before the next invocation of
 * that container runs: nobody will ever hear of its address.
 */
public final class PluginServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PluginServer.class.getName());
    /** The server's socket file, in the directory of ipamd's socket (the shim looks there). */
    public static final String SOCKET_NAME = "plugin.sock";

    private final Dispatcher dispatcher;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong waited = new AtomicLong();
    private final AtomicLong undone = new AtomicLong();
    /** The turn of each container and interface with an invocation running or waiting; guarded by itself. */
    private final Map<String, Turn> turns = new HashMap<>();
    /** Logged once, for an ADD or CHECK (a DEL may come after the netns is gone): it means a missing mount. */
    private volatile boolean warnedInvisible;
    private final UnixRequestServer transport;

    /**
     * 1,024 connections; 64 invocations at once (each on a platform thread of its own: it enters the pod's
     * namespace), the rest wait their turn; 16 MiB for requests in progress (an invocation is a few KiB).
     */
    static final BoundedServer.Limits LIMITS = new BoundedServer.Limits(1024, 64, PluginFrames.MAX_REQUEST_BYTES,
            16L << 20, Protocol.DEFAULT_SERVER_IO_TIMEOUT, Protocol.DEFAULT_SERVER_IO_TIMEOUT);

    private PluginServer(Path socket, Dispatcher dispatcher) throws IOException {
        this.dispatcher = dispatcher;
        this.transport = UnixRequestServer.start("cni-plugin", socket, LIMITS,
                Thread.ofPlatform().daemon().name("cni-plugin-", 0).factory(),
                new UnixRequestServer.Exchange() {
                    /** Not called by the transport, which sends through the method below. */
                    @Override
                    public byte[] answer(byte[] request) {
                        byte[][] reply = new byte[1][];
                        PluginServer.this.answer(request, OptionalInt.empty(), r -> {
                            reply[0] = r;
                            return true;
                        });
                        return reply[0];
                    }

                    @Override
                    public void answer(byte[] request, BoundedServer.Reply reply) {
                        PluginServer.this.answer(request, OptionalInt.empty(), reply);
                    }

                    @Override
                    public boolean takesDescriptor() {
                        return true;
                    }

                    @Override
                    public void answer(byte[] request, PassedDescriptor passed, BoundedServer.Reply reply) {
                        Optional<String> refused = passed.refused();
                        if (refused.isPresent()) {
                            reply.send(malformed(refused.get()));
                        } else {
                            PluginServer.this.answer(request, passed.descriptor(), reply);
                        }
                    }

                    @Override
                    public byte[] oversized(int limit) {
                        // The standalone plugin takes any size; a larger config is its to judge.
                        return PluginFrames.unserved("request larger than " + limit + " bytes");
                    }
                });
    }

    /** What the socket server has done so far: connections accepted, closed to make room, timed out, open. */
    public BoundedServer.Counts connections() {
        return transport.counts();
    }

    /** Serves on {@code socket}; {@code dispatcher} decides what the host namespace is. */
    public static PluginServer start(Path socket, Dispatcher dispatcher) throws IOException {
        return new PluginServer(socket, dispatcher);
    }

    /** Entering a pod's network namespace (setns) takes CAP_SYS_ADMIN. */
    static final int CAP_SYS_ADMIN = 21;
    /** Links, addresses, routes, rules and neighbours, in the pod's namespace and the host's, take CAP_NET_ADMIN. */
    static final int CAP_NET_ADMIN = 12;
    /**
     * Where the DaemonSet mounts the host's {@code /proc/sys/net} (hostPath), under {@link #HOST_PROC_SYS}: a
     * container that is not privileged has {@code /proc/sys} read-only, and the host veth's sysctls are written there.
     */
    public static final Path HOST_PROC_SYS = Path.of("/host/proc/sys");

    /**
     * Where this daemon writes the host's sysctls: {@link #HOST_PROC_SYS} when the host's {@code /proc/sys/net} is
     * mounted there, else {@code /proc/sys} (a privileged container, or a daemon on the host).
     */
    public static Path sysctlRoot() {
        return Files.isDirectory(HOST_PROC_SYS.resolve("net")) ? HOST_PROC_SYS : Path.of("/proc/sys");
    }

    /**
     * Why this process could not do the plugin's work, if it could not; the standalone plugin, run as root by the
     * runtime on the host, then does it instead of every invocation failing here.
     */
    public static Optional<String> missingPrivilege() {
        return missingPrivilege(sysctlRoot());
    }

    /** As {@link #missingPrivilege()}, with the host's sysctls under {@code sysctlRoot}. */
    public static Optional<String> missingPrivilege(Path sysctlRoot) {
        Path probe = sysctlRoot.resolve("net/ipv4/ip_forward"); // always there; writable exactly when the tree is
        try {
            return missingPrivilege(Files.readString(Path.of("/proc/self/status")), sysctlRoot, opensForWriting(probe));
        } catch (IOException e) {
            return Optional.of("cannot read the daemon's capabilities: " + e.getMessage());
        }
    }

    /**
     * @param procStatus      this process's {@code /proc/self/status}
     * @param sysctlRoot      where the host veth's IPv6 sysctls are written
     * @param procSysWritable whether {@code sysctlRoot} can be written (a container that is not privileged has
     *                        {@code /proc/sys} read-only)
     */
    static Optional<String> missingPrivilege(String procStatus, Path sysctlRoot, boolean procSysWritable) {
        if (!hasEffectiveCapability(procStatus, CAP_SYS_ADMIN)) {
            return Optional.of("the daemon lacks CAP_SYS_ADMIN, which entering a pod's network namespace (setns) "
                    + "takes");
        }
        if (!hasEffectiveCapability(procStatus, CAP_NET_ADMIN)) {
            return Optional.of("the daemon lacks CAP_NET_ADMIN, which creating the pod's veth, address, routes and "
                    + "rules takes");
        }
        if (!procSysWritable) {
            return Optional.of("the daemon's " + sysctlRoot + " is read-only (a container that is not privileged has "
                    + "/proc/sys read-only; mount the host's /proc/sys/net at " + HOST_PROC_SYS.resolve("net")
                    + "), and the host veth's sysctls are written there");
        }
        return Optional.empty();
    }

    /**
     * Whether {@code file} can be opened for writing: opened and closed, nothing written. Not access(2), which a
     * read-only mount answers but a security module (AppArmor) that refuses the open does not.
     */
    private static boolean opensForWriting(Path file) {
        try (var ignored = FileChannel.open(file, StandardOpenOption.WRITE)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the {@code CapEff} line of a {@code /proc/PID/status} text has bit {@code capability}. */
    static boolean hasEffectiveCapability(String procStatus, int capability) {
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("CapEff:")) {
                long mask = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                return (mask >>> capability & 1) == 1;
            }
        }
        return false;
    }

    /** Where the shim looks for the server when ipamd's socket is {@code ipamdSocket}. */
    public static Path besideIpamd(Path ipamdSocket) {
        return ipamdSocket.toAbsolutePath().resolveSibling(SOCKET_NAME);
    }

    public Path socketPath() {
        return transport.socketPath();
    }

    /** Invocations run here so far. */
    public long served() {
        return served.get();
    }

    /** Invocations that waited for an earlier one of the same container and interface to finish. */
    public long waited() {
        return waited.get();
    }

    /** ADDs undone because their shim was gone before the reply. */
    public long undone() {
        return undone.get();
    }

    private void answer(byte[] bytes, OptionalInt netns, BoundedServer.Reply reply) {
        switch (PluginFrames.decode(bytes)) {
            case PluginFrames.Malformed m -> reply.send(malformed(m.reason()));
            case PluginFrames.Request r when netns.isPresent() && r.env().getOrDefault("CNI_NETNS", "").isEmpty() ->
                    reply.send(malformed("a descriptor came with a request without CNI_NETNS"));
            case PluginFrames.Request r -> serve(r, netns, reply);
        }
    }

    private static byte[] malformed(String reason) {
        LOG.log(Level.WARNING, "cni plugin request refused: " + LogText.escape(reason));
        return PluginFrames.served(1, new CniError(CniError.DECODING_FAILURE,
                "vpc-cni plugin server: malformed request from the shim: " + reason)
                .toJson(CniVersion.LATEST).getBytes(StandardCharsets.UTF_8));
    }

    /** @param netns the namespace the shim passed, open until this returns; empty: CNI_NETNS's path, seen here */
    private void serve(PluginFrames.Request request, OptionalInt netns, BoundedServer.Reply reply) {
        if (netns.isEmpty()) {
            Optional<String> invisible = invisibleNetns(request.env());
            if (invisible.isPresent()) {
                reply.send(PluginFrames.unserved(invisible.get()));
                return;
            }
        }
        String command = request.env().getOrDefault("CNI_COMMAND", "");
        String container = request.env().getOrDefault("CNI_CONTAINERID", "");
        if (container.isEmpty() || !(command.equals("ADD") || command.equals("DEL") || command.equals("CHECK"))) {
            reply.send(run(request, netns).reply()); // no container: VERSION, STATUS, GC, or one the plugin refuses
            return;
        }
        String key = container + "\0" + request.env().getOrDefault("CNI_IFNAME", "");
        Turn turn = awaitTurn(key, command, container);
        try {
            Ran ran = run(request, netns);
            if (!reply.send(ran.reply()) && command.equals("ADD") && ran.status() == 0) {
                undo(request, netns, container);
            }
        } finally {
            leave(key, turn);
        }
    }

    /** A container's and interface's queue: fair, so invocations run in the order they asked. */
    private static final class Turn {
        final ReentrantLock lock = new ReentrantLock(true);
        int holders;
    }

    private Turn awaitTurn(String key, String command, String container) {
        Turn turn;
        boolean busy;
        synchronized (turns) {
            turn = turns.computeIfAbsent(key, k -> new Turn());
            busy = turn.holders++ > 0;
        }
        if (busy) {
            waited.incrementAndGet();
            LOG.log(Level.INFO, "cni " + command + " of container " + container + " waits for the invocation of "
                    + "that container still running (the CNI spec allows one at a time)");
        }
        turn.lock.lock();
        return turn;
    }

    private void leave(String key, Turn turn) {
        turn.lock.unlock();
        synchronized (turns) {
            if (--turn.holders == 0) {
                turns.remove(key);
            }
        }
    }

    /**
     * The plugin's own DEL for an ADD nobody heard of (its shim was killed, e.g. by the runtime's deadline): it
     * releases the address in ipamd and removes the veth, routes and rules the ADD built.
     */
    private void undo(PluginFrames.Request add, OptionalInt netns, String container) {
        Map<String, String> env = new HashMap<>(add.env());
        env.put("CNI_COMMAND", "DEL");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = dispatch(new PluginFrames.Request(Map.copyOf(env), add.stdin()), netns, out);
        undone.incrementAndGet();
        if (status == 0) {
            LOG.log(Level.WARNING, "cni ADD of container " + container + " finished after its shim was gone (the "
                    + "runtime's deadline?); undid it with DEL: address released, pod network removed");
        } else {
            LOG.log(Level.WARNING, "cni ADD of container " + container + " finished after its shim was gone; "
                    + "undoing it with DEL failed (ipamd's GC reclaims the address): "
                    + out.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * Why the daemon cannot work in the request's netns, if it cannot: the path is missing here, or is not a
     * namespace file here (the runtime's placeholder without the mount behind it, which lives in the runtime's
     * mount namespace). Only the standalone plugin, in the runtime's own mount and PID namespaces, can tell a
     * namespace that is gone or not one at all from one the daemon cannot see.
     */
    private Optional<String> invisibleNetns(Map<String, String> env) {
        String netns = env.getOrDefault("CNI_NETNS", "");
        if (netns.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> reason = notANamespaceHere(Path.of(netns));
        if (reason.isEmpty()) {
            return reason;
        }
        String command = env.getOrDefault("CNI_COMMAND", "");
        if ((command.equals("ADD") || command.equals("CHECK")) && !warnedInvisible) {
            warnedInvisible = true;
            LOG.log(Level.WARNING, "netns " + netns + " of a " + command + " is not visible to the daemon ("
                    + reason.get() + ") and came without the namespace's descriptor (a shim older than the daemon?); "
                    + "such invocations run the standalone plugin");
        }
        return Optional.of("netns " + netns + " is not visible to the daemon" + reason.get());
    }

    /** Empty when {@code path} is a namespace file as this process sees it; else the detail of the reply. */
    static Optional<String> notANamespaceHere(Path path) {
        try {
            Map<String, Object> file = Files.readAttributes(path, "unix:dev,mode");
            long nsfs = (Long) Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:dev");
            if ((Long) file.get("dev") == nsfs) {
                return Optional.empty();
            }
            int type = (Integer) file.get("mode") & 0170000;
            return Optional.of(": it is " + (type == 0100000 ? "a regular file" : type == 0040000 ? "a directory"
                    : "a file") + " here, not a namespace (a runtime in another mount namespace mounts it there)");
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.of("");
        } catch (IOException e) {
            return Optional.of(": " + e.getMessage());
        }
    }

    /** An invocation run here: its exit status, and the reply that carries it and its stdout. */
    private record Ran(int status, byte[] reply) {}

    private Ran run(PluginFrames.Request request, OptionalInt netns) {
        long start = System.nanoTime();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int status = dispatch(request, netns, stdout);
        served.incrementAndGet();
        LOG.log(Level.DEBUG, () -> "cni " + request.env().get("CNI_COMMAND") + " container "
                + request.env().get("CNI_CONTAINERID") + " exit " + status + " in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
        return new Ran(status, PluginFrames.served(status, stdout.toByteArray()));
    }

    private int dispatch(PluginFrames.Request request, OptionalInt netns, ByteArrayOutputStream stdout) {
        try (PrintStream out = new PrintStream(stdout, false, StandardCharsets.UTF_8)) {
            return dispatcher.run(request.env(), request.stdin(), netns, out);
        }
    }

    @Override
    public void close() {
        transport.close();
    }
}
