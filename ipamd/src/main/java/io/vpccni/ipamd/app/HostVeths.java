package io.vpccni.ipamd.app;

import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.rpc.veth.HostVethName;

/**
 * Whether a pod's host-side veth still exists. A checkpoint entry whose veth is gone belongs to a pod that was
 * deleted while ipamd was down; its address is released at start instead of leaking.
 */
final class HostVeths {

    private final Netlink netlink;
    private final String prefix;

    HostVeths(Netlink netlink, String prefix) {
        this.netlink = netlink;
        this.prefix = prefix;
    }

    boolean stillWired(Allocation allocation) {
        if (allocation.pod().name().isEmpty()) {
            return true; // no pod name to derive the veth from (entries migrated from the CRI): keep it
        }
        String veth = HostVethName.of(prefix, allocation.pod().namespace(), allocation.pod().name());
        return netlink.linkByName(veth).isPresent();
    }
}
