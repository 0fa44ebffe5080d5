package io.vpccni.cni.server;

import io.vpccni.cni.plugin.Dispatcher;
import io.vpccni.cni.spec.CniError;
import io.vpccni.cni.spec.CniVersion;
import io.vpccni.rpc.BoundedServer;
import io.vpccni.rpc.Protocol;
import io.vpccni.rpc.UnixRequestServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs CNI invocations inside the node daemon, for the plugin shim that the container runtime
 * executes. A plugin JVM per pod costs 45 ms before it does anything (BENCHMARKS.md), three times
 * what Debian's Go plugins take for a whole ADD; the daemon's JVM is already running. The plugin's
 * code is the same {@link Dispatcher} the standalone plugin runs, on a platform thread per
 * invocation (its system calls block the OS thread, and namespace switches are per OS thread).
 *
 * <p>An invocation whose network namespace this process cannot see (a daemon in a container
 * without the host's {@code /var/run/netns}, or a {@code /proc/PID} path of another PID namespace)
 * is answered "unserved", and the shim runs the standalone plugin instead.
 */
public final class PluginServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PluginServer.class.getName());
    /** The server's socket file, in the directory of ipamd's socket (the shim looks there). */
    public static final String SOCKET_NAME = "plugin.sock";

    private final Dispatcher dispatcher;
    private final AtomicLong served = new AtomicLong();
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
                    @Override
                    public byte[] answer(byte[] request) {
                        return PluginServer.this.answer(request);
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
    /** Always present, and writable exactly when this process's /proc/sys is (a container's is read-only). */
    private static final Path PROC_SYS_PROBE = Path.of("/proc/sys/net/ipv4/ip_forward");

    /**
     * Why this process could not do the plugin's work, if it could not; the standalone plugin, run as root by the
     * runtime on the host, then does it instead of every invocation failing here.
     */
    public static Optional<String> missingPrivilege() {
        try {
            return missingPrivilege(Files.readString(Path.of("/proc/self/status")), Files.isWritable(PROC_SYS_PROBE));
        } catch (IOException e) {
            return Optional.of("cannot read the daemon's capabilities: " + e.getMessage());
        }
    }

    /**
     * @param procStatus      this process's {@code /proc/self/status}
     * @param procSysWritable whether its {@code /proc/sys} can be written: the host veth's IPv6 sysctls are set there,
     *                        and a container that is not privileged gets it read-only
     */
    static Optional<String> missingPrivilege(String procStatus, boolean procSysWritable) {
        if (!hasEffectiveCapability(procStatus, CAP_SYS_ADMIN)) {
            return Optional.of("the daemon lacks CAP_SYS_ADMIN, which entering a pod's network namespace takes");
        }
        if (!procSysWritable) {
            return Optional.of("the daemon's /proc/sys is read-only (a container that is not privileged), and the "
                    + "host veth's sysctls are written there");
        }
        return Optional.empty();
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

    private byte[] answer(byte[] bytes) {
        return switch (PluginFrames.decode(bytes)) {
            case PluginFrames.Malformed m -> {
                LOG.log(Level.WARNING, "cni plugin request refused: " + m.reason());
                yield PluginFrames.served(1, new CniError(CniError.DECODING_FAILURE,
                        "vpc-cni plugin server: malformed request from the shim: " + m.reason())
                        .toJson(CniVersion.LATEST).getBytes(StandardCharsets.UTF_8));
            }
            case PluginFrames.Request r -> run(r);
        };
    }

    private byte[] run(PluginFrames.Request request) {
        String netns = request.env().getOrDefault("CNI_NETNS", "");
        if (!netns.isEmpty() && !Files.exists(Path.of(netns))) {
            // Gone, or never visible from here: only the standalone plugin, in the runtime's own
            // mount and PID namespaces, can tell which.
            String command = request.env().getOrDefault("CNI_COMMAND", "");
            if ((command.equals("ADD") || command.equals("CHECK")) && !warnedInvisible) {
                warnedInvisible = true;
                LOG.log(Level.WARNING, "netns " + netns + " of a " + command + " is not visible to the daemon; such "
                        + "invocations run the standalone plugin (a daemon in a container needs the host's "
                        + "/var/run/netns, mounted with HostToContainer propagation)");
            }
            return PluginFrames.unserved("netns " + netns + " is not visible to the daemon");
        }
        long start = System.nanoTime();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int status;
        try (PrintStream out = new PrintStream(stdout, false, StandardCharsets.UTF_8)) {
            status = dispatcher.run(request.env(), request.stdin(), out);
        }
        served.incrementAndGet();
        LOG.log(Level.DEBUG, () -> "cni " + request.env().get("CNI_COMMAND") + " container "
                + request.env().get("CNI_CONTAINERID") + " exit " + status + " in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
        return PluginFrames.served(status, stdout.toByteArray());
    }

    @Override
    public void close() {
        transport.close();
    }
}
