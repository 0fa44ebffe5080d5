package io.vpccni.cni.dataplane;

import io.vpccni.netlink.api.Addr;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Link;
import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.api.Neighbour;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.api.Rule;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.socket.KernelNetlink;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * CNI CHECK: reads the pod's and the host's state back from the kernel and lists every piece of
 * the contract that is missing or different, in words an operator can act on ("pod route
 * 169.254.1.1/32 dev eth0 scope link is missing"). An empty list means the attachment is intact.
 */
public final class PodNetworkCheck {
    private PodNetworkCheck() {}

    /** @param checkMtu false when the expected MTU is not known (no mtu in netconf or prevResult) */
    public static List<String> problems(Netlink hostNl, NetNs podNs, PodAttachment a, boolean checkMtu) {
        List<String> problems = new ArrayList<>();
        Optional<Link> veth = hostNl.linkByName(a.hostVeth());
        if (veth.isEmpty()) {
            problems.add("host veth " + a.hostVeth() + " is missing");
        } else if (!veth.get().up()) {
            problems.add("host veth " + a.hostVeth() + " is down");
        }
        try (Netlink podNl = KernelNetlink.openIn(podNs)) {
            checkPod(podNl, a, veth.flatMap(Link::mac), checkMtu, problems);
        }
        veth.ifPresent(v -> checkHost(hostNl, a, v, problems));
        return problems;
    }

    private static void checkPod(Netlink podNl, PodAttachment a, Optional<MacAddress> vethMac,
            boolean checkMtu, List<String> problems) {
        Optional<Link> eth = podNl.linkByName(a.ifName());
        if (eth.isEmpty()) {
            problems.add("pod interface " + a.ifName() + " is missing");
            return;
        }
        int index = eth.get().index();
        if (!eth.get().up()) {
            problems.add("pod interface " + a.ifName() + " is down");
        }
        if (checkMtu && eth.get().mtu() != a.mtu()) {
            problems.add("pod interface " + a.ifName() + " has MTU " + eth.get().mtu() + ", expected " + a.mtu());
        }
        if (!podNl.addresses(index).contains(new Addr(a.podIp(), 32))) {
            problems.add("pod address " + a.ip() + "/32 on " + a.ifName() + " is missing");
        }
        List<Route> routes = podNl.routes(Route.TABLE_MAIN);
        if (routes.stream().noneMatch(r -> r.destination().equals(IpPrefix.host(Contract.GATEWAY))
                && r.linkIndex() == index && r.scope() == Route.SCOPE_LINK && r.gateway().isEmpty())) {
            problems.add("pod route " + Contract.GATEWAY.getHostAddress() + "/32 dev " + a.ifName()
                    + " scope link is missing");
        }
        if (routes.stream().noneMatch(r -> r.destination().equals(IpPrefix.defaultIpv4())
                && r.gateway().equals(Optional.of(Contract.GATEWAY)) && r.linkIndex() == index)) {
            problems.add("pod default route via " + Contract.GATEWAY.getHostAddress() + " dev " + a.ifName()
                    + " is missing");
        }
        Optional<Neighbour> gw = podNl.neighbours(index).stream()
                .filter(n -> n.address().equals(Contract.GATEWAY)).findFirst();
        if (gw.isEmpty() || !gw.get().isPermanent()) {
            problems.add("pod neighbour " + Contract.GATEWAY.getHostAddress() + " on " + a.ifName()
                    + " is missing or not permanent");
        } else if (vethMac.isPresent() && !gw.get().mac().equals(vethMac)) {
            problems.add("pod neighbour " + Contract.GATEWAY.getHostAddress() + " points at "
                    + gw.get().mac().map(MacAddress::toString).orElse("nothing") + ", not the host veth "
                    + vethMac.get());
        }
    }

    private static void checkHost(Netlink hostNl, PodAttachment a, Link veth, List<String> problems) {
        if (hostNl.routes(Route.TABLE_MAIN).stream().noneMatch(r -> r.destination().equals(a.hostPrefix())
                && r.linkIndex() == veth.index() && r.scope() == Route.SCOPE_LINK)) {
            problems.add("host route " + a.ip() + "/32 dev " + a.hostVeth() + " scope link is missing");
        }
        List<Rule> rules = hostNl.rules();
        if (!hasRule(rules, Contract.toPodRule(a.podIp()))) {
            problems.add("host rule '" + Contract.toPodRule(a.podIp()) + "' is missing");
        }
        if (a.onSecondaryEni() && !hasRule(rules, Contract.fromPodRule(a.podIp(), a.table()))) {
            problems.add("host rule '" + Contract.fromPodRule(a.podIp(), a.table()) + "' is missing");
        }
    }

    private static boolean hasRule(List<Rule> rules, Rule wanted) {
        return rules.stream().anyMatch(r -> r.priority() == wanted.priority() && r.from().equals(wanted.from())
                && r.to().equals(wanted.to()) && r.table() == wanted.table());
    }
}
