package io.vpccni.it.ipamd;

import io.vpccni.cni.testing.InProcessPlugin;
import io.vpccni.cni.testing.NodeNamespace;
import io.vpccni.cni.testing.PluginCall;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.testing.ScratchNetns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A simulated node for the plugin against the real daemon: the daemon in this JVM against the EC2 emulator
 * ({@link SimulatedNode}: its ENIs have no links, so no host networking of its own), a node namespace standing in
 * for the host, pod namespaces, and the real plugin run in-process with the node namespace as its host side.
 * Closing removes all of it.
 */
final class PluginNode implements AutoCloseable {

    final SimulatedNode ipamd;
    final ScratchNetns node;
    private final NetNs nodeNs;
    private final List<ScratchNetns> pods = new ArrayList<>();

    PluginNode(String instanceType, Map<String, String> settings) throws Exception {
        ipamd = new SimulatedNode(instanceType, settings).start();
        node = NodeNamespace.create();
        nodeNs = NetNs.named(node.name());
    }

    ScratchNetns pod() {
        ScratchNetns p = NodeNamespace.pod();
        pods.add(p);
        return p;
    }

    InProcessPlugin.Outcome run(PluginCall call, String stdin) {
        return InProcessPlugin.run(nodeNs, Path.of(ipamd.env.get("VPC_CNI_SOCKET")), call, stdin);
    }

    void stopIpamd() {
        ipamd.daemon.close();
    }

    /** Addresses the daemon has assigned, by container. */
    Map<String, String> assigned() {
        Map<String, String> out = new TreeMap<>();
        ipamd.daemon.view().allocations().forEach(a -> out.put(a.key().containerId(), a.ip().toString()));
        return out;
    }

    @Override
    public void close() {
        nodeNs.close();
        pods.forEach(ScratchNetns::close);
        node.close();
        ipamd.close();
    }
}
