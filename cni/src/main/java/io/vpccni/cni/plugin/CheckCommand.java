package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.PodAttachment;
import io.vpccni.cni.dataplane.PodNetworkCheck;
import io.vpccni.cni.spec.CniError;
import io.vpccni.cni.spec.CniResult;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.rpc.veth.HostVethName;

import java.util.List;
import java.util.OptionalInt;

/**
 * CHECK: the kernel state of the attachment described by prevResult, compared with the contract.
 * Fails with every missing or different piece named in one message.
 */
final class CheckCommand {
    private CheckCommand() {}

    static String run(Invocation inv) throws CniError {
        var args = inv.args();
        CniResult prev = inv.conf().prevResult().orElseThrow(() -> new CniError(
                CniError.INVALID_NETWORK_CONFIG, "CHECK needs prevResult (the ADD result) in the configuration"));
        PrevAttachment att = PrevAttachment.from(prev, args.ifName()).orElseThrow(() -> new CniError(
                CniError.INVALID_NETWORK_CONFIG, "prevResult has no IPv4 address for interface " + args.ifName()));
        String veth = att.hostVeth().isPresent() ? att.hostVeth().get() : vethFromArgs(inv);
        OptionalInt mtu = inv.conf().mtu().isPresent() ? inv.conf().mtu() : mtuOf(prev, args.ifName());
        PodAttachment a = new PodAttachment(veth, args.ifName(), att.podIp(), att.table(), mtu.orElse(1500));
        List<String> problems;
        try (NetNs podNs = CniNetnsArgument.required(inv);
             Netlink hostNl = inv.host().openNetlink()) {
            problems = PodNetworkCheck.problems(hostNl, podNs, a, mtu.isPresent());
        }
        if (!problems.isEmpty()) {
            inv.log().warn("container " + inv.containerId() + " ip " + a.ip() + " veth " + veth + ": CHECK found "
                    + problems);
            throw new CniError(PluginErrors.CHECK_FAILED, "pod network of ip " + a.ip() + " is not intact: "
                    + String.join("; ", problems));
        }
        return "";
    }

    private static String vethFromArgs(Invocation inv) throws CniError {
        PodIdentity pod = PodIdentity.required(inv.args());
        return HostVethName.of(inv.conf().vethPrefix(), pod.namespace(), pod.name());
    }

    private static OptionalInt mtuOf(CniResult prev, String ifName) {
        return prev.interfaces().stream().filter(i -> i.name().equals(ifName) && i.sandbox().isPresent())
                .map(CniResult.Interface::mtu).filter(OptionalInt::isPresent).findFirst().orElse(OptionalInt.empty());
    }
}
