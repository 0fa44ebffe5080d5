package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.PodNetwork;
import io.vpccni.cni.spec.CniError;
import io.vpccni.cni.spec.NetConf;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.rpc.message.AttachmentKey;
import io.vpccni.rpc.message.GcOk;
import io.vpccni.rpc.message.GcRequest;

import java.util.List;
import java.util.Optional;

/**
 * GC: ipamd releases every attachment of this network not in {@code cni.dev/valid-attachments}
 * (or the older {@code cni.dev/attachments}); the host rules and route of each released address
 * are removed here. Without a list nothing is released: an absent list is not "keep nothing"
 * (cnitool sends none, having already DELeted the attachments it knows).
 */
final class GcCommand {
    private GcCommand() {}

    static String run(Invocation inv) throws CniError {
        if (inv.conf().validAttachments().isEmpty()) {
            inv.log().info("GC without a valid-attachments list: nothing released");
            return "";
        }
        List<AttachmentKey> keep = inv.conf().validAttachments().get().stream()
                .map(GcCommand::key).toList();
        GcOk ok;
        try {
            ok = inv.ipamd().gc(new GcRequest(inv.conf().name(), keep));
        } catch (Ipamd.Unreachable e) {
            throw e.asCniError();
        }
        if (ok.released().isEmpty()) {
            return "";
        }
        try (Netlink hostNl = inv.host().openNetlink()) {
            for (GcOk.Released r : ok.released()) {
                inv.log().info("GC released container " + r.attachment().containerId() + " ifname "
                        + r.attachment().ifName() + " ip " + r.ipv4Address());
                PodNetwork.teardown(hostNl, Ipv4Address.parse(r.ipv4Address()).toInet(), Optional.empty(), "", inv.log());
            }
        } catch (RuntimeException e) {
            throw new CniError(PluginErrors.DATAPLANE_FAILED, "GC released addresses but removing their host "
                    + "routes failed", String.valueOf(e.getMessage()));
        }
        return "";
    }

    private static AttachmentKey key(NetConf.Attachment a) {
        return new AttachmentKey(a.containerId(), a.ifName());
    }
}
