package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.PodAttachment;
import io.vpccni.cni.dataplane.PodNetwork;
import io.vpccni.cni.spec.CniError;
import io.vpccni.cni.spec.ResultWriter;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.veth.HostVethName;

/**
 * ADD: an address from ipamd, then the data plane, then the result. Once ipamd has given the
 * address, any failure removes what was built (inside {@link PodNetwork#setup}) and releases the
 * address before the error is returned, so a failed ADD leaks neither.
 */
final class AddCommand {
    private AddCommand() {}

    static String run(Invocation inv) throws CniError {
        var args = inv.args();
        var conf = inv.conf();
        PodIdentity pod = PodIdentity.required(args);
        String veth = HostVethName.of(conf.vethPrefix(), pod.namespace(), pod.name());
        try (NetNs podNs = CniNetnsArgument.required(inv)) {
            AddOk ok = requestAddress(inv, pod);
            inv.log().info("container " + inv.containerId() + " pod " + pod + ": ipamd assigned ip "
                    + ok.ipv4Address() + " on " + ok.eniId() + " (device " + ok.deviceNumber() + ", table "
                    + ok.routeTableId() + "), veth " + veth);
            // The netconf's mtu is the operator's explicit choice for this network; ipamd's is the
            // node default (POD_MTU).
            int mtu = conf.mtu().orElse(ok.podMtu());
            PodAttachment a = new PodAttachment(veth, args.ifName(), Ipv4Address.parse(ok.ipv4Address()).toInet(),
                    ok.routeTableId(), mtu);
            try (Netlink hostNl = inv.host().openNetlink()) {
                PodNetwork.setup(inv.host(), hostNl, podNs, a, inv.log());
            } catch (RuntimeException e) {
                release(inv, pod, a, e);
                throw new CniError(PluginErrors.DATAPLANE_FAILED, "setting up the pod network for ip "
                        + a.ip() + " (veth " + veth + ") failed; the address was released", String.valueOf(e.getMessage()));
            }
            return ResultWriter.toJson(AwsNodeResult.of(a, ok.deviceNumber(), args.netns(), pod), conf.cniVersion());
        }
    }

    private static AddOk requestAddress(Invocation inv, PodIdentity pod) throws CniError {
        var args = inv.args();
        try {
            return inv.ipamd().add(new AddRequest(inv.conf().name(), args.containerId(), args.ifName(),
                    args.netns(), pod.namespace(), pod.name(), pod.uid()));
        } catch (Ipamd.Unreachable e) {
            throw e.asCniError();
        }
    }

    private static void release(Invocation inv, PodIdentity pod, PodAttachment a, RuntimeException cause) {
        var args = inv.args();
        try {
            inv.ipamd().del(new DelRequest(inv.conf().name(), args.containerId(), args.ifName(),
                    pod.namespace(), pod.name(), pod.uid()));
            inv.log().info("container " + inv.containerId() + ": released ip " + a.ip() + " after the failed ADD");
        } catch (CniError | Ipamd.Unreachable e) {
            // ipamd's GC will reclaim it; the ADD error the runtime sees is the original one.
            inv.log().error("container " + inv.containerId() + ": could not release ip " + a.ip()
                    + " after the failed ADD: " + e.getMessage());
            cause.addSuppressed(e);
        }
    }
}
