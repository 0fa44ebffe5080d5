package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.spec.CniError;
import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.ns.NetNs;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Opening CNI_NETNS, or the descriptor the shim opened it as and passed (the plugin in the daemon): required for
 * ADD and CHECK, optional (may be gone) for DEL. Only a network namespace other
 * than this process's own is accepted ({@link NetNs#openForeign}): a path to the process's own namespace would
 * put the pod's eth0, address and default route there (the host's, for the daemon and for the standalone plugin),
 * and a FIFO would block the thread that opened it.
 */
final class CniNetnsArgument {
    private CniNetnsArgument() {}

    /**
     * The namespace passed with the invocation, else the one at CNI_NETNS.
     *
     * @throws CniError 4 when the path does not exist, cannot be opened, or is not a foreign network namespace
     */
    static NetNs required(Invocation inv) throws CniError {
        String path = inv.args().netns();
        try {
            return open(inv);
        } catch (NetlinkException e) {
            throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_NETNS " + path + " cannot be opened",
                    e.getMessage());
        } catch (NetNs.Rejected e) {
            throw rejected(path, e);
        }
    }

    /**
     * Empty when no path was given or the namespace is already gone.
     *
     * @throws CniError 4 when the path is there but is not a foreign network namespace
     */
    static Optional<NetNs> ifPresent(Invocation inv) throws CniError {
        String path = inv.args().netns();
        if (path.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(open(inv));
        } catch (NetlinkException.NoSuchObject gone) {
            return Optional.empty();
        } catch (NetNs.Rejected e) {
            throw rejected(path, e);
        }
    }

    /**
     * A handle of our own either way: on the passed descriptor (judged like a path; the server closes the
     * descriptor itself) or on the path.
     */
    private static NetNs open(Invocation inv) {
        Path path = Path.of(inv.args().netns());
        List<NetNs> refused = refused(inv.host());
        return inv.netnsDescriptor().isPresent()
                ? NetNs.openForeign(inv.netnsDescriptor().getAsInt(), path, refused)
                : NetNs.openForeign(path, refused);
    }

    /** Besides the process's own: the host namespace the plugin works in, when that is another one. */
    private static List<NetNs> refused(HostNamespace host) {
        return host instanceof HostNamespace.Named named ? List.of(named.ns()) : List.of();
    }

    private static CniError rejected(String path, NetNs.Rejected e) {
        return new CniError(CniError.INVALID_ENVIRONMENT, "CNI_NETNS " + path + " is not a pod's network namespace",
                e.getMessage());
    }
}
