package io.vpccni.netlink.testing;

import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.socket.KernelNetlink;

/** A {@link ScratchNetns} with a {@link Netlink} bound to it; closing closes the handle, then deletes the namespace. */
public final class ScratchNetlink implements AutoCloseable {
    private final ScratchNetns namespace;
    private final Netlink netlink;

    private ScratchNetlink(ScratchNetns namespace, Netlink netlink) {
        this.namespace = namespace;
        this.netlink = netlink;
    }

    public static ScratchNetlink create(String prefix) {
        ScratchNetns ns = ScratchNetns.create(prefix);
        try (NetNs handle = NetNs.named(ns.name())) {
            return new ScratchNetlink(ns, KernelNetlink.openIn(handle));
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    public ScratchNetns namespace() {
        return namespace;
    }

    public Netlink netlink() {
        return netlink;
    }

    @Override
    public void close() {
        try {
            netlink.close();
        } finally {
            namespace.close();
        }
    }
}
