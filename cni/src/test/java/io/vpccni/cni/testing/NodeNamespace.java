package io.vpccni.cni.testing;

import io.vpccni.netlink.testing.ScratchNetns;

/** The namespace that stands in for a node's host namespace, so the root namespace is never touched. */
public final class NodeNamespace {
    /** The node's "primary ENI" address, on lo: pods' replies to the node come back to it. */
    public static final String PRIMARY_IP = "10.0.0.254";

    private NodeNamespace() {}

    /** A scratch namespace with the primary address on lo and forwarding on, as a node has. */
    public static ScratchNetns create() {
        ScratchNetns node = ScratchNetns.create("vpccni-cni-node");
        node.ip("addr", "add", PRIMARY_IP + "/32", "dev", "lo");
        node.run("sysctl", "-qw", "net.ipv4.ip_forward=1");
        return node;
    }

    /** A scratch namespace for one pod. */
    public static ScratchNetns pod() {
        return ScratchNetns.create("vpccni-cni-pod");
    }
}
