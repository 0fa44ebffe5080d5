package io.vpccni.cni.dataplane;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.api.Rule;

import io.vpccni.netlink.ip.Ipv4Address;
import java.net.Inet4Address;

/**
 * The node contract of docs/node-contract.md, shared with aws-vpc-cni so pods survive a switch
 * between the two plugins: the pod's link-local next hop and the host rule priorities.
 */
public final class Contract {
    /** The pod's only next hop; answered by the permanent neighbour entry, never by ARP. */
    public static final Inet4Address GATEWAY = Ipv4Address.parse("169.254.1.1").toInet();
    /** {@code to <podIP> lookup main}: replies to the pod ignore the ENI source rules. */
    public static final int TO_POD_RULE_PRIORITY = 512;
    /** {@code from <podIP> lookup <table>}: a secondary ENI's pods leave through that ENI. */
    public static final int FROM_POD_RULE_PRIORITY = 1536;

    private Contract() {}

    public static Rule toPodRule(Inet4Address podIp) {
        return Rule.at(TO_POD_RULE_PRIORITY).withTo(IpPrefix.host(podIp)).withTable(Route.TABLE_MAIN);
    }

    public static Rule fromPodRule(Inet4Address podIp, int table) {
        return Rule.at(FROM_POD_RULE_PRIORITY).withFrom(IpPrefix.host(podIp)).withTable(table);
    }

    /** {@code <podIP>/32 dev <veth> scope link} in main. */
    public static Route hostRoute(Inet4Address podIp, int vethIndex) {
        return Route.to(IpPrefix.host(podIp)).withLinkIndex(vethIndex).withScope(Route.SCOPE_LINK);
    }

    /** {@code 169.254.1.1 dev eth0 scope link} inside the pod. */
    public static Route gatewayRoute(int ifIndex) {
        return Route.to(IpPrefix.host(GATEWAY)).withLinkIndex(ifIndex).withScope(Route.SCOPE_LINK);
    }

    /** {@code default via 169.254.1.1 dev eth0} inside the pod. */
    public static Route defaultRoute(int ifIndex) {
        return Route.to(IpPrefix.defaultIpv4()).withGateway(GATEWAY).withLinkIndex(ifIndex);
    }
}
