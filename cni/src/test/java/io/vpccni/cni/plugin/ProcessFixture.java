package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.server.PluginServer;
import io.vpccni.cni.testing.PoolBackedIpamd;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.testing.Directories;
import io.vpccni.netlink.testing.Shell;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.cni.testing.NodeNamespace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;


/**
 * A simulated node for whole-process tests: the packaged plugin (or cnitool) runs inside the
 * node namespace through {@code ip netns exec}, so that namespace is its host namespace. With a
 * plugin server, the node's daemon side runs here in the test JVM, its host namespace the node's
 * (never the test JVM's own), and the shim hands invocations to it; without one the shim runs
 * the standalone plugin.
 */
final class ProcessFixture implements AutoCloseable {
    /** cnitool, installed by the test setup: {@code GOBIN=/opt/cnitool/bin go install ...cnitool@v1.3.0}. */
    static final String CNITOOL = System.getProperty("vpccni.cnitool", "/opt/cnitool/bin/cnitool");

    /** What the runtime executes: the packaged shim, which runs the standalone plugin when no server answers. */
    final String entryPoint = System.getProperty("vpccni.plugin", "target/plugin/bin/vpc-cni");
    final ScratchNetns node = NodeNamespace.create();
    final Path dir;
    final Path socket;
    /** Null until the daemon starts (see {@link #withoutDaemonYet}). */
    volatile PoolBackedIpamd ipamd;
    /** Null without a plugin server, or until the daemon starts. */
    volatile PluginServer server;
    private final boolean pluginServer;
    private final NetNs nodeHandle;
    private final List<ScratchNetns> pods = new ArrayList<>();

    ProcessFixture() throws IOException {
        this(false);
    }

    ProcessFixture(boolean pluginServer) throws IOException {
        this(pluginServer, true);
    }

    private ProcessFixture(boolean pluginServer, boolean daemonNow) throws IOException {
        Shell.require(Files.isExecutable(Path.of(entryPoint)), "packaged plugin missing: " + entryPoint);
        dir = Files.createTempDirectory("vpccni-cni-it");
        socket = dir.resolve("ipamd.sock");
        this.pluginServer = pluginServer;
        nodeHandle = pluginServer ? NetNs.open(Path.of(node.path())) : null;
        if (daemonNow) {
            startDaemon();
        }
    }

    /** A node whose daemon (ipamd, and the plugin server if {@code pluginServer}) is not running yet. */
    static ProcessFixture withoutDaemonYet(boolean pluginServer) throws IOException {
        return new ProcessFixture(pluginServer, false);
    }

    /** Starts ipamd, then the plugin server, as the daemon does; a stale socket file in their place is replaced. */
    synchronized void startDaemon() throws IOException {
        ipamd = PoolBackedIpamd.start(socket, PoolBackedIpamd.primary(4));
        if (pluginServer) {
            server = PluginServer.start(PluginServer.besideIpamd(socket), new Dispatcher(HostNamespace.of(nodeHandle)));
        }
    }

    /** Stops the plugin server and ipamd, as a daemon that stops cleanly does: their socket files are removed. */
    synchronized void stopDaemon() {
        if (server != null) {
            server.close();
            server = null;
        }
        ipamd.close();
        ipamd = null;
    }

    /** Invocations the plugin server ran (0 without one). */
    long served() {
        PluginServer s = server;
        return s == null ? 0 : s.served();
    }

    ScratchNetns pod() {
        ScratchNetns p = NodeNamespace.pod();
        pods.add(p);
        return p;
    }

    /** The plugin as a runtime runs it: environment, config on stdin, inside the node namespace. */
    Shell.Result plugin(Map<String, String> env, String stdin) {
        Map<String, String> all = new HashMap<>(env);
        all.put(Dispatcher.SOCKET_ENV, socket.toString());
        return Shell.exec(all, stdin.getBytes(StandardCharsets.UTF_8), "ip", "netns", "exec", node.name(),
                Path.of(entryPoint).toAbsolutePath().toString());
    }

    /**
     * The plugin started as {@link #plugin} runs it, without waiting for it: for a test that kills it as a runtime
     * whose deadline passed does. {@code ip netns exec} execs the shim, so the process is the shim.
     */
    Process startPlugin(Map<String, String> env, String stdin) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", node.name(),
                Path.of(entryPoint).toAbsolutePath().toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        pb.environment().put(Dispatcher.SOCKET_ENV, socket.toString());
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }

    /**
     * The plugin run as a runtime in a mount namespace of its own runs it: {@code netns} is bind-mounted on the
     * empty file {@code placeholder} there only (as containerd mounts its netns files), so this process, the
     * daemon's, sees the empty file.
     */
    Shell.Result pluginInPrivateMounts(String netns, Path placeholder, Map<String, String> env, String stdin) {
        Map<String, String> all = new HashMap<>(env);
        all.put(Dispatcher.SOCKET_ENV, socket.toString());
        return Shell.exec(all, stdin.getBytes(StandardCharsets.UTF_8), "unshare", "--mount", "--propagation",
                "private", "sh", "-c", "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\"", "sh", netns,
                placeholder.toString(), "ip", "netns", "exec", node.name(), Path.of(entryPoint).toAbsolutePath().toString());
    }

    /** {@code cnitool <verb> <network> <netns>} inside the node namespace, on the conflists in {@code netconfDir}. */
    Shell.Result cnitool(Path netconfDir, Map<String, String> extraEnv, String verb, String network, String netns) {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("NETCONFPATH", netconfDir.toString());
        env.put("CNI_PATH", Path.of(entryPoint).toAbsolutePath().getParent() + ":/usr/lib/cni");
        env.put(Dispatcher.SOCKET_ENV, socket.toString());
        return Shell.exec(env, null, "ip", "netns", "exec", node.name(), CNITOOL, verb, network, netns);
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
        if (nodeHandle != null) {
            nodeHandle.close();
        }
        if (ipamd != null) {
            ipamd.close();
        }
        for (ScratchNetns p : pods) {
            p.close();
        }
        node.close();
        Directories.deleteRecursively(dir);
    }
}
