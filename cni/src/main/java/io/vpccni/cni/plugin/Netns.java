package io.vpccni.cni.plugin;

import io.vpccni.cni.spec.CniError;
import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.ns.NetNs;

import java.nio.file.Path;
import java.util.Optional;

/** Opening CNI_NETNS: required for ADD and CHECK, optional (may be gone) for DEL. */
final class Netns {
    private Netns() {}

    /** @throws CniError 4 when the path does not exist or cannot be opened */
    static NetNs required(String path) throws CniError {
        try {
            return NetNs.open(Path.of(path));
        } catch (NetlinkException e) {
            throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_NETNS " + path + " cannot be opened",
                    e.getMessage());
        }
    }

    /** Empty when no path was given or the namespace is already gone. */
    static Optional<NetNs> ifPresent(String path) {
        if (path.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(NetNs.open(Path.of(path)));
        } catch (NetlinkException.NoSuchObject gone) {
            return Optional.empty();
        }
    }
}
