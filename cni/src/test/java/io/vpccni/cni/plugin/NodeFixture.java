package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.server.PluginServer;
import io.vpccni.cni.testing.InProcessPlugin;
import io.vpccni.cni.testing.PluginCall;
import io.vpccni.cni.testing.PoolBackedIpamd;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.cni.testing.NodeNamespace;
import io.vpccni.netlink.ns.NetNs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A simulated node for in-process plugin tests: a node namespace standing in for the host, pod
 * namespaces, a {@link PoolBackedIpamd} on a temporary socket, and the {@link Dispatcher} run with
 * the node namespace as its host side. Closing removes all of it.
 */
final class NodeFixture implements AutoCloseable {
    final ScratchNetns node = NodeNamespace.create();
    final NetNs nodeNs = NetNs.named(node.name());
    final Path dir;
    final Path socket;
    private final List<ScratchNetns> pods = new ArrayList<>();
    private PoolBackedIpamd ipamd;
    private PluginServer server;

    NodeFixture(List<PoolBackedIpamd.Slot> pool) throws IOException {
        dir = Files.createTempDirectory("vpccni-cni-test");
        socket = dir.resolve("ipamd.sock");
        ipamd = PoolBackedIpamd.start(socket, pool);
    }

    /** A plugin server beside ipamd's socket, the node namespace its host side; closed with the node. */
    PluginServer serve() throws IOException {
        server = PluginServer.start(PluginServer.besideIpamd(socket), new Dispatcher(HostNamespace.of(nodeNs)));
        return server;
    }

    PoolBackedIpamd ipamd() {
        return ipamd;
    }

    void stopIpamd() {
        ipamd.close();
    }

    ScratchNetns pod() {
        ScratchNetns p = NodeNamespace.pod();
        pods.add(p);
        return p;
    }

    InProcessPlugin.Outcome run(PluginCall call, String stdin) {
        return InProcessPlugin.run(nodeNs, socket, call, stdin);
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
        ipamd.close();
        nodeNs.close();
        for (ScratchNetns p : pods) {
            p.close();
        }
        node.close();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
