package io.vpccni.cni.dataplane;

import io.vpccni.cni.log.PluginLog;
import io.vpccni.netlink.api.Addr;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Link;
import io.vpccni.netlink.api.LinkSpec;
import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.api.Neighbour;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.api.Rule;
import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.socket.KernelNetlink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.util.Optional;

/**
 * Builds and removes one pod's data plane (docs/node-contract.md, "Pod and host data plane"), in
 * aws-vpc-cni's order: replace a stale host veth, create the pair with the pod end made directly
 * inside the pod namespace, set
 * the host veth's IPv6 sysctls and bring it up, program the pod side (link-local next hop, default
 * route, /32 address, permanent neighbour, lo up), then the host route and rules. The host veth
 * gets no IPv4 address: the pod's neighbour entry points at its MAC and the host routes by /32.
 */
public final class PodNetwork {
    private PodNetwork() {}

    /**
     * @param host   the host namespace, for sysctls
     * @param hostNl rtnetlink in the host namespace
     * @param podNs  the pod's namespace (CNI_NETNS)
     * @return the host veth as created (its MAC is the pod's next hop)
     * @throws RuntimeException (mostly {@link NetlinkException}) after everything built is removed
     */
    public static Link setup(HostNamespace host, Netlink hostNl, NetNs podNs, PodAttachment a,
            PluginLog log) {
        Rollback rollback = new Rollback(log);
        try {
            Optional<Link> stale = hostNl.linkByName(a.hostVeth());
            if (stale.isPresent()) {
                // A repeated ADD (or a pod recreated under the same name): the old pair is garbage.
                log.info("deleting stale host veth " + a.hostVeth() + " (index " + stale.get().index() + ")");
                deleteLinkIfPresent(hostNl, stale.get().index());
            }
            // txqueuelen 0 on both ends, as aws-vpc-cni's veths have (its netlink library sends the
            // zero of an unset field), so the node looks the same whichever plugin wired a pod.
            Link veth = hostNl.addLink(LinkSpec.Veth.of(a.hostVeth(), a.ifName()).withMtu(a.mtu())
                    .withTxQueueLen(0).withPeerIn(podNs));
            rollback.push("delete veth " + a.hostVeth(), () -> deleteLinkIfPresent(hostNl, veth.index()));
            MacAddress vethMac = veth.mac().orElseThrow(() -> new IllegalStateException(
                    "host veth " + a.hostVeth() + " has no MAC address"));
            hostSysctls(host, a.hostVeth(), log);
            hostNl.setLinkUp(veth.index());

            try (Netlink podNl = KernelNetlink.openIn(podNs)) {
                setupPodSide(podNl, a, vethMac);
            }

            hostNl.replaceRoute(Contract.hostRoute(a.podIp(), veth.index()));
            rollback.push("delete route " + a.ip() + "/32 dev " + a.hostVeth(),
                    () -> deleteRouteIfPresent(hostNl, Contract.hostRoute(a.podIp(), veth.index())));
            addRule(hostNl, Contract.toPodRule(a.podIp()), rollback);
            if (a.onSecondaryEni()) {
                addRule(hostNl, Contract.fromPodRule(a.podIp(), a.table()), rollback);
            }
            log.info("data plane ready: ip " + a.ip() + " veth " + a.hostVeth() + " (" + vethMac
                    + ") table " + a.table() + " mtu " + a.mtu());
            return veth;
        } catch (RuntimeException | Error e) {
            log.error("data plane setup for ip " + a.ip() + " veth " + a.hostVeth() + " failed: "
                    + e.getMessage() + "; rolling back");
            rollback.run(e);
            throw e;
        }
    }

    private static void setupPodSide(Netlink podNl, PodAttachment a, MacAddress vethMac) {
        Link eth = podNl.linkByName(a.ifName()).orElseThrow(() -> new IllegalStateException(
                "pod interface " + a.ifName() + " vanished right after it was created"));
        podNl.setLinkUp(eth.index());
        podNl.linkByName("lo").filter(lo -> !lo.up()).ifPresent(lo -> podNl.setLinkUp(lo.index()));
        // The next hop first: the default route needs it reachable on the link.
        podNl.replaceRoute(Contract.gatewayRoute(eth.index()));
        podNl.addRoute(Contract.defaultRoute(eth.index()));
        podNl.addAddress(eth.index(), new Addr(a.podIp(), 32));
        // Routed mode: nothing answers ARP for 169.254.1.1, the host veth's MAC is it.
        podNl.addNeighbour(Neighbour.permanent(Contract.GATEWAY, vethMac, eth.index()));
    }

    /**
     * The host veth must not autoconfigure IPv6 from the pod's router advertisements nor forward
     * IPv6 (aws-vpc-cni sets the same three); a kernel without IPv6 has no such keys.
     */
    private static void hostSysctls(HostNamespace host, String veth, PluginLog log) {
        String base = "net/ipv6/conf/" + veth + "/";
        try {
            boolean ipv6 = host.writeSysctl(base + "accept_ra", "0");
            if (ipv6) {
                host.writeSysctl(base + "accept_redirects", "1");
                host.writeSysctl(base + "forwarding", "0");
            } else {
                log.debug("no IPv6 sysctls for " + veth + ": kernel without IPv6");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("setting IPv6 sysctls of " + veth, e);
        }
    }

    private static void addRule(Netlink nl, Rule rule, Rollback rollback) {
        try {
            nl.addRule(rule);
        } catch (NetlinkException.AlreadyExists e) {
            // Left by an earlier ADD for this same address; it is ours now.
        }
        rollback.push("delete rule " + rule, () -> deleteRuleIfPresent(nl, rule));
    }

    /**
     * Removes what serves {@code podIp} on the host: the rules at 512 and 1536 for that address
     * (whatever the table, so a wrong or missing table id in prevResult still cleans up), the /32
     * route, and the veth that route points at. The veth is found through the route, never by
     * name, since a pod recreated under the same name already owns a veth of that name. When the
     * route is gone, the pod end is removed through the pod namespace if it still exists.
     *
     * @return true when anything was removed
     */
    public static boolean teardown(Netlink hostNl, Inet4Address podIp, Optional<NetNs> podNs,
            String ifName, PluginLog log) {
        boolean removed = false;
        for (Rule r : hostNl.rules()) {
            if (servesPod(r, podIp)) {
                removed |= deleteRuleIfPresent(hostNl, r);
                log.info("deleted rule " + r + " for ip " + podIp.getHostAddress());
            }
        }
        Optional<Route> route = Optional.empty();
        for (Route r : hostNl.routes(Route.TABLE_MAIN)) { // a loop: no stream on the plugin's path
            if (r.destination().equals(IpPrefix.host(podIp)) && r.linkIndex() > 0) {
                route = Optional.of(r);
                break;
            }
        }
        if (route.isPresent()) {
            int vethIndex = route.get().linkIndex();
            removed |= deleteRouteIfPresent(hostNl, route.get());
            Optional<Link> veth = hostNl.linkByIndex(vethIndex).filter(PodNetwork::isVeth);
            if (veth.isPresent()) {
                removed |= deleteLinkIfPresent(hostNl, vethIndex);
                log.info("deleted host veth " + veth.get().name() + " of ip " + podIp.getHostAddress());
            }
        } else if (podNs.isPresent()) {
            try (Netlink podNl = KernelNetlink.openIn(podNs.get())) {
                Optional<Link> eth = podNl.linkByName(ifName).filter(PodNetwork::isVeth);
                if (eth.isPresent()) {
                    removed |= deleteLinkIfPresent(podNl, eth.get().index());
                    log.info("deleted pod veth " + ifName + " of ip " + podIp.getHostAddress());
                }
            }
        }
        return removed;
    }

    static boolean servesPod(Rule r, Inet4Address podIp) {
        Optional<IpPrefix> host = Optional.of(IpPrefix.host(podIp));
        return r.priority() == Contract.TO_POD_RULE_PRIORITY && r.to().equals(host) && r.from().isEmpty()
                || r.priority() == Contract.FROM_POD_RULE_PRIORITY && r.from().equals(host) && r.to().isEmpty();
    }

    private static boolean isVeth(Link l) {
        return l.kind().equals(Optional.of("veth"));
    }

    static boolean deleteLinkIfPresent(Netlink nl, int index) {
        try {
            nl.deleteLink(index);
            return true;
        } catch (NetlinkException.NoSuchObject gone) {
            return false;
        }
    }

    private static boolean deleteRouteIfPresent(Netlink nl, Route r) {
        try {
            nl.deleteRoute(r);
            return true;
        } catch (NetlinkException.NoSuchObject gone) {
            return false;
        }
    }

    private static boolean deleteRuleIfPresent(Netlink nl, Rule r) {
        try {
            nl.deleteRule(r);
            return true;
        } catch (NetlinkException.NoSuchObject gone) {
            return false;
        }
    }
}
