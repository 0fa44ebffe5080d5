package io.vpccni.ipamd.hostnet;

import io.vpccni.netlink.api.Addr;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.api.Rule;

import java.util.List;

/**
 * The kernel state one secondary ENI needs once its link is known: a pure function of the ENI and the link's
 * ifindex, so it can be checked without root.
 *
 * <p>What aws-vpc-cni's {@code setupENINetwork} does and we keep: the primary address with the subnet's prefix
 * length; in table N+1 {@code <gateway>/32 dev <link> scope link} and {@code default via <gateway> dev <link>};
 * the subnet route the kernel puts in main for that address removed, so the subnet is reached through the
 * primary ENI unless a rule says otherwise. Ours in addition (docs/node-contract.md, "Route tables and
 * rules"): {@code from <primary IP> lookup N+1} at priority 32765, so traffic sourced from the ENI's own
 * address leaves through that ENI.
 */
public record EniLayout(SecondaryEni eni, int linkIndex) {
    /** Just above main's default 32766, so it only steers what no pod or node rule already decided. */
    public static final int ENI_RULE_PRIORITY = 32765;

    public Addr address() {
        return new Addr(eni.primaryIp(), eni.subnet().length());
    }

    /** Order matters: the gateway's link route first, so the default route's next hop resolves in the table. */
    public List<Route> tableRoutes() {
        Route gatewayRoute = Route.to(IpPrefix.host(eni.gateway()))
                .withLinkIndex(linkIndex).withTable(eni.routeTable()).withScope(Route.SCOPE_LINK);
        Route defaultRoute = Route.to(IpPrefix.defaultIpv4())
                .withGateway(eni.gateway()).withLinkIndex(linkIndex).withTable(eni.routeTable());
        return List.of(gatewayRoute, defaultRoute);
    }

    /** The prefix route the kernel adds to main with the address; the ENI's subnet must not be reached through it. */
    public Route mainSubnetRoute() {
        return Route.to(eni.subnet()).withLinkIndex(linkIndex).withTable(Route.TABLE_MAIN).withScope(Route.SCOPE_LINK);
    }

    public Rule rule() {
        return Rule.at(ENI_RULE_PRIORITY).withFrom(IpPrefix.host(eni.primaryIp())).withTable(eni.routeTable());
    }

    /** Whether a route read back from the kernel is one of {@link #tableRoutes()} (protocol and metric aside). */
    static boolean sameRoute(Route a, Route b) {
        return a.destination().equals(b.destination()) && a.gateway().equals(b.gateway())
                && a.linkIndex() == b.linkIndex() && a.table() == b.table() && a.scope() == b.scope()
                && a.type() == b.type();
    }
}
