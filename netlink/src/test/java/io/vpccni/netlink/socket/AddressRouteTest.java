package io.vpccni.netlink.socket;

import io.vpccni.netlink.api.Addr;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.LinkSpec;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.testing.ScratchNamespaces;
import io.vpccni.netlink.testing.ScratchNetlink;
import io.vpccni.netlink.testing.ScratchNetns;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Addresses and routes on a veth pair (v0, v1) inside one scratch namespace. */
@Tag("privileged")
class AddressRouteTest {
    @RegisterExtension
    final ScratchNamespaces namespaces = new ScratchNamespaces("vpccni-nltest");

    private ScratchNetns ns;
    private Netlink nl;
    private int v0;
    private int v1;

    @BeforeEach
    void createNamespaceWithAVethPair() {
        ScratchNetlink scratch = namespaces.netlink();
        ns = scratch.namespace();
        nl = scratch.netlink();
        v0 = nl.addLink(LinkSpec.Veth.of("v0", "v1")).index();
        v1 = nl.linkByName("v1").orElseThrow().index();
        nl.setLinkUp(v0);
        nl.setLinkUp(v1);
        // The kernel checks an onlink gateway against the local table, which a fresh namespace
        // only gets with its first local address: without lo up, even `ip route add ... onlink`
        // fails with "Nexthop has invalid gateway".
        nl.setLinkUp(nl.linkByName("lo").orElseThrow().index());
    }

    @Test
    void addsListsAndDeletesAddresses() {
        Addr addr = Addr.parse("10.0.0.1/24");
        nl.addAddress(v0, addr);

        assertThat(nl.addresses(v0)).containsExactly(addr);
        assertThat(ns.ip("-4", "-o", "addr", "show", "dev", "v0")).contains("inet 10.0.0.1/24");

        nl.deleteAddress(v0, addr);
        assertThat(nl.addresses(v0)).isEmpty();
    }

    @Test
    void addingAnAddressTwiceIsAlreadyExistsAndDeletingAMissingOneIsNoSuchObject() {
        Addr addr = Addr.parse("10.0.0.1/32");
        nl.addAddress(v0, addr);
        assertThatThrownBy(() -> nl.addAddress(v0, addr)).isInstanceOf(NetlinkException.AlreadyExists.class);
        assertThatThrownBy(() -> nl.deleteAddress(v0, Addr.parse("10.0.0.2/32")))
                .isInstanceOf(NetlinkException.NoSuchObject.class)
                .hasMessageContaining("RTM_DELADDR 10.0.0.2/32");
    }

    @Test
    void addsAScopeLinkHostRouteInMain() {
        Route r = Route.to(IpPrefix.parse("10.9.0.5/32")).withLinkIndex(v0).withScope(Route.SCOPE_LINK);
        nl.addRoute(r);

        assertThat(ns.ip("-4", "route", "show")).contains("10.9.0.5 dev v0 scope link");
        assertThat(nl.routes(Route.TABLE_MAIN)).contains(r);
    }

    @Test
    void addsRoutesInTable3WithAnOnlinkGateway() {
        Route gwRoute = Route.to(IpPrefix.parse("169.254.1.1/32")).withLinkIndex(v0).withScope(Route.SCOPE_LINK)
                .withTable(3);
        Route viaOnlink = Route.to(IpPrefix.defaultIpv4()).withGateway(Ipv4Address.parse("10.99.0.1").toInet()).withLinkIndex(v0)
                .withTable(3).withOnLink(true);
        nl.addRoute(gwRoute);
        nl.addRoute(viaOnlink);

        String table3 = ns.ip("-4", "route", "show", "table", "3");
        // ip hides "proto boot", the default protocol.
        assertThat(table3).contains("default via 10.99.0.1 dev v0 onlink")
                .contains("169.254.1.1 dev v0 scope link");
        assertThat(nl.routes(3)).containsExactlyInAnyOrder(gwRoute, viaOnlink);
        assertThat(nl.routes(Route.TABLE_MAIN)).doesNotContain(gwRoute, viaOnlink);
    }

    @Test
    void aGatewayOffLinkWithoutOnlinkIsRefusedWithTheKernelsReason() {
        Route r = Route.to(IpPrefix.defaultIpv4()).withGateway(Ipv4Address.parse("10.99.0.1").toInet()).withLinkIndex(v0).withTable(3);
        assertThatThrownBy(() -> nl.addRoute(r))
                .isInstanceOf(NetlinkException.class)
                .hasMessageStartingWith("RTM_NEWROUTE 0.0.0.0/0 via 10.99.0.1");
    }

    @Test
    void addingAnExistingRouteIsAlreadyExists() {
        Route r = Route.to(IpPrefix.parse("10.0.0.5/32")).withLinkIndex(v0).withScope(Route.SCOPE_LINK).withTable(3);
        nl.addRoute(r);
        assertThatThrownBy(() -> nl.addRoute(r))
                .isInstanceOf(NetlinkException.AlreadyExists.class)
                .hasMessageStartingWith("RTM_NEWROUTE 10.0.0.5/32 dev#" + v0 + " table 3 scope link: File exists (EEXIST)");
    }

    @Test
    void replaceMovesARouteToAnotherDevice() {
        Route r = Route.to(IpPrefix.parse("10.0.0.5/32")).withLinkIndex(v0).withScope(Route.SCOPE_LINK);
        nl.addRoute(r);
        nl.replaceRoute(r.withLinkIndex(v1));
        nl.replaceRoute(r.withLinkIndex(v1)); // idempotent

        assertThat(nl.routes(Route.TABLE_MAIN)).contains(r.withLinkIndex(v1)).doesNotContain(r);
    }

    @Test
    void deletesARouteAndDeletingAgainIsNoSuchObject() {
        Route r = Route.to(IpPrefix.parse("10.0.0.5/32")).withLinkIndex(v0).withScope(Route.SCOPE_LINK).withTable(3);
        nl.addRoute(r);
        nl.deleteRoute(r);
        assertThat(nl.routes(3)).isEmpty();
        assertThatThrownBy(() -> nl.deleteRoute(r)).isInstanceOf(NetlinkException.NoSuchObject.class);
    }

    @Test
    void tablesAbove255Work() {
        Route r = Route.to(IpPrefix.parse("10.0.0.0/16")).withLinkIndex(v0).withScope(Route.SCOPE_LINK).withTable(1000);
        nl.addRoute(r);
        assertThat(ns.ip("-4", "route", "show", "table", "1000")).contains("10.0.0.0/16 dev v0");
        assertThat(nl.routes(1000)).containsExactly(r);
    }

    @Test
    void routeToAMissingDeviceIsNoSuchLink() {
        Route r = Route.to(IpPrefix.parse("10.0.0.5/32")).withLinkIndex(99999).withScope(Route.SCOPE_LINK);
        assertThatThrownBy(() -> nl.addRoute(r)).isInstanceOf(NetlinkException.NoSuchLink.class);
    }
}
