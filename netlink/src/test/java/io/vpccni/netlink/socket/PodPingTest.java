package io.vpccni.netlink.socket;

import io.vpccni.netlink.api.Addr;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Link;
import io.vpccni.netlink.api.LinkSpec;
import io.vpccni.netlink.api.Neighbour;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.api.Rule;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end: a "host" namespace and a "pod" namespace wired the way aws-vpc-cni wires a pod
 * (veth with the pod end created directly as eth0 in the pod, {@code podIP/32}, a scope-link
 * route to 169.254.1.1, default via it, a permanent neighbour for it, and on the host a
 * scope-link /32 to the pod plus the {@code to podIP lookup main} rule), all through our API;
 * then ping both ways.
 */
@Tag("privileged")
class PodPingTest {

    @Test
    void podAndHostPingEachOtherOverAVethConfiguredOnlyThroughNetlink() {
        Shell.assumePrivileged();
        try (ScratchNetns host = ScratchNetns.create(); ScratchNetns pod = ScratchNetns.create();
             NetNs hostNs = NetNs.named(host.name()); NetNs podNs = NetNs.named(pod.name());
             Netlink h = KernelNetlink.openIn(hostNs); Netlink p = KernelNetlink.openIn(podNs)) {

            Link hostVeth = h.addLink(LinkSpec.Veth.of("eni1a2b3c4d5e6", "eth0").withMtu(9001).withPeerIn(podNs));
            Link eth0 = p.linkByName("eth0").orElseThrow();
            Link podLo = p.linkByName("lo").orElseThrow();

            // Pod side.
            p.setLinkUp(podLo.index());
            p.addAddress(eth0.index(), Addr.parse("10.0.0.5/32"));
            p.setLinkUp(eth0.index());
            p.addRoute(Route.to(IpPrefix.parse("169.254.1.1/32")).withLinkIndex(eth0.index()).withScope(Route.SCOPE_LINK));
            p.addRoute(Route.to(IpPrefix.defaultIpv4()).withGateway(Ipv4Address.parse("169.254.1.1").toInet()).withLinkIndex(eth0.index()));
            p.replaceNeighbour(Neighbour.permanent(Ipv4Address.parse("169.254.1.1").toInet(), hostVeth.mac().orElseThrow(), eth0.index()));

            // Host side: the node's address lives on the host veth here (a real node has it on eth0).
            h.addAddress(hostVeth.index(), Addr.parse("10.0.1.1/32"));
            h.setLinkUp(hostVeth.index());
            h.addRoute(Route.to(IpPrefix.parse("10.0.0.5/32")).withLinkIndex(hostVeth.index()).withScope(Route.SCOPE_LINK));
            h.addRule(Rule.at(512).withTo(IpPrefix.parse("10.0.0.5/32")));

            Shell.Result fromPod = pod.exec("ping", "-c1", "-W1", "10.0.1.1");
            Shell.Result fromHost = host.exec("ping", "-c1", "-W1", "10.0.0.5");

            assertThat(fromPod.exit()).as(fromPod.output()).isZero();
            assertThat(fromHost.exit()).as(fromHost.output()).isZero();
            assertThat(pod.ip("-4", "route", "show")).contains("default via 169.254.1.1 dev eth0");
        }
    }
}
