package io.vpccni.cni.plugin;

import io.vpccni.cni.spec.CniResult;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Route;

import java.net.Inet4Address;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What an ADD result handed back as prevResult says about an attachment: the pod interface (the
 * one with a sandbox and CNI_IFNAME's name), its IPv4 address, the route table (the pod
 * interface's {@code mac}, or for aws-vpc-cni up to v1.19, which left it empty, the device number
 * of the dummy entry; see {@link AwsNodeResult} and docs/node-contract.md, "CNI network name and
 * result"), and the host veth (the first interface without a sandbox). Reads our results of every
 * shape so far and aws-vpc-cni's; enough for DEL to tear down and CHECK to verify without ipamd.
 */
record PrevAttachment(Inet4Address podIp, int table, Optional<String> hostVeth) {

    /** Empty when prevResult does not describe {@code ifName} with one IPv4 address. */
    static Optional<PrevAttachment> from(CniResult prev, String ifName) {
        List<CniResult.Interface> ifs = prev.interfaces();
        int podIndex = -1;
        for (int i = 0; i < ifs.size(); i++) {
            if (ifs.get(i).name().equals(ifName) && ifs.get(i).sandbox().isPresent()) {
                podIndex = i;
            }
        }
        Optional<Inet4Address> ip = Optional.empty();
        for (CniResult.IpConfig c : prev.ips()) {
            boolean ours = podIndex < 0 ? c.interfaceIndex().isEmpty()
                    : c.interfaceIndex().equals(OptionalInt.of(podIndex));
            if (ours && !c.isIpv6()) {
                ip = Optional.of(parse(c.address()));
            }
        }
        if (ip.isEmpty()) {
            return Optional.empty();
        }
        int table = Route.TABLE_MAIN;
        if (podIndex >= 0) {
            OptionalInt fromMac = AwsNodeResult.tableOf(ifs.get(podIndex).mac());
            table = (fromMac.isPresent() ? fromMac : AwsNodeResult.tableFromDummy(ifs)).orElse(Route.TABLE_MAIN);
        }
        Optional<String> veth = Optional.empty();
        for (CniResult.Interface i : ifs) { // a loop: no stream on the plugin's path
            if (i.sandbox().isEmpty()) {
                veth = Optional.of(i.name());
                break;
            }
        }
        return Optional.of(new PrevAttachment(ip.get(), table, veth));
    }

    private static Inet4Address parse(String cidr) {
        return (Inet4Address) IpPrefix.parse(cidr).address();
    }
}
