package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.PodNetwork;
import io.vpccni.cni.spec.CniError;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.rpc.message.DelOk;
import io.vpccni.rpc.message.DelRequest;

import java.net.Inet4Address;
import java.util.Optional;

/**
 * DEL: release through ipamd, then remove the host rules, route and veth of the released address.
 * With ipamd unreachable the address comes from prevResult and DEL still succeeds (ipamd reclaims
 * the address itself once back, and a failing DEL would block the runtime's own cleanup). Nothing
 * left to remove (second DEL, unknown container, namespace gone) is success.
 */
final class DelCommand {
    private DelCommand() {}

    static String run(Invocation inv) throws CniError {
        // Judged before anything is released: a path that is not a pod's namespace changes nothing.
        Optional<NetNs> podNs = CniNetnsArgument.ifPresent(inv);
        try {
            return run(inv, podNs);
        } finally {
            podNs.ifPresent(NetNs::close);
        }
    }

    private static String run(Invocation inv, Optional<NetNs> podNs) throws CniError {
        var args = inv.args();
        PodIdentity pod = PodIdentity.of(args);
        Optional<PrevAttachment> prev = inv.conf().prevResult()
                .flatMap(r -> PrevAttachment.from(r, args.ifName()));
        Optional<Inet4Address> ip;
        CniError refused = null;
        try {
            DelOk ok = inv.ipamd().del(new DelRequest(inv.conf().name(), args.containerId(), args.ifName(),
                    pod.namespace(), pod.name(), pod.uid()));
            ip = ok.released().map(r -> Ipv4Address.parse(r.ipv4Address()).toInet());
            inv.log().info("container " + inv.containerId() + ": ipamd released "
                    + ip.map(Inet4Address::getHostAddress).orElse("nothing"));
            if (ip.isEmpty()) {
                ip = prev.map(PrevAttachment::podIp);
            }
        } catch (Ipamd.Unreachable e) {
            inv.log().warn("container " + inv.containerId() + ": " + e.getMessage()
                    + "; tearing down from prevResult " + prev.map(p -> "ip " + p.podIp().getHostAddress()).orElse("(none)"));
            ip = prev.map(PrevAttachment::podIp);
        } catch (CniError e) {
            // Remove the data plane anyway; the error makes the runtime retry the release.
            refused = e;
            ip = prev.map(PrevAttachment::podIp);
        }
        if (ip.isPresent()) {
            teardown(inv, ip.get(), podNs);
        }
        if (refused != null) {
            throw refused;
        }
        return "";
    }

    private static void teardown(Invocation inv, Inet4Address ip, Optional<NetNs> podNs) throws CniError {
        var args = inv.args();
        try (Netlink hostNl = inv.host().openNetlink()) {
            boolean removed = PodNetwork.teardown(hostNl, ip, podNs, args.ifName(), inv.log());
            inv.log().info("container " + inv.containerId() + ": ip " + ip.getHostAddress()
                    + (removed ? " torn down" : " had nothing left to tear down"));
        } catch (RuntimeException e) {
            throw new CniError(PluginErrors.DATAPLANE_FAILED, "removing the pod network of ip "
                    + ip.getHostAddress() + " failed", String.valueOf(e.getMessage()));
        }
    }
}
