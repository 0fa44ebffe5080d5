package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.testing.PluginCall;
import io.vpccni.cni.testing.PoolBackedIpamd;
import io.vpccni.cni.testing.TestNetns;
import io.vpccni.netlink.ns.NetNs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
    record Outcome(int exit, String stdout) {}

    final TestNetns node = TestNetns.node();
    final NetNs nodeNs = NetNs.named(node.name());
    final Path dir;
    final Path socket;
    private final List<TestNetns> pods = new ArrayList<>();
    private PoolBackedIpamd ipamd;

    NodeFixture(List<PoolBackedIpamd.Slot> pool) throws IOException {
        dir = Files.createTempDirectory("vpccni-cni-test");
        socket = dir.resolve("ipamd.sock");
        ipamd = PoolBackedIpamd.start(socket, pool);
    }

    PoolBackedIpamd ipamd() {
        return ipamd;
    }

    void stopIpamd() {
        ipamd.close();
    }

    TestNetns pod() {
        TestNetns p = TestNetns.create("pod");
        pods.add(p);
        return p;
    }

    Outcome run(PluginCall call, String stdin) {
        var out = new ByteArrayOutputStream();
        var env = new java.util.HashMap<>(call.env());
        env.put(Dispatcher.SOCKET_ENV, socket.toString());
        int exit = new Dispatcher(HostNamespace.of(nodeNs)).run(env, stdin.getBytes(StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        ipamd.close();
        nodeNs.close();
        for (TestNetns p : pods) {
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
