package io.vpccni.ipamd.hostnet;

import io.vpccni.netlink.api.Addr;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Link;
import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.api.Rule;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.testing.ScratchNamespaces;
import io.vpccni.netlink.testing.ScratchNetlink;
import io.vpccni.netlink.testing.ScratchNetns;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Secondary ENI bring-up in a node namespace whose "ENI" is a veth into a fabric namespace. */
@Tag("privileged")
class EniNetworkConfiguratorPrivilegedTest {
    private static final MacAddress MAC = MacAddress.parse("02:aa:00:00:00:21");
    private static final SecondaryEni ENI = new SecondaryEni("eni-0sim1", MAC, 1, Ipv4Address.parse("10.0.32.7").toInet(),
            IpPrefix.parse("10.0.32.0/20"));
    private static final LinkRetry NO_WAIT = new LinkRetry(3, Duration.ofSeconds(3), d -> {});

    @RegisterExtension
    final ScratchNamespaces namespaces = new ScratchNamespaces("vpccni-hn");

    private ScratchNetns node;
    private ScratchNetns fabric;
    private Netlink netlink;

    @BeforeEach
    void namespaces() {
        ScratchNetlink scratch = namespaces.netlink();
        node = scratch.namespace();
        netlink = scratch.netlink();
        fabric = namespaces.create();
    }

    private void attachEni(String name, MacAddress mac) {
        node.ip("link", "add", name, "address", mac.toString(), "type", "veth", "peer", "name", "f-" + name,
                "netns", fabric.name());
        fabric.ip("link", "set", "f-" + name, "up");
    }

    /**
     * Everything bring-up can touch: links (admin state, MTU, MAC) from netlink, IPv4 addresses, routes of every
     * table and rules as iproute2 prints them. Operational state and IPv6 DAD flags are left out: the kernel
     * changes them on its own a moment after a link comes up.
     */
    private String kernelState() {
        return netlink.links() + "\n" + node.ip("-o", "-4", "addr", "show")
                + node.ip("-4", "route", "show", "table", "all") + node.ip("-4", "rule", "show");
    }

    @Test
    void bringUpProducesExactlyTheTableRoutesAndRule() throws Exception {
        attachEni("eth1", MAC);

        Changes changes = new EniNetworkConfigurator(netlink, 9001, NO_WAIT).setUp(ENI);

        assertThat(changes.isNoop()).isFalse();
        Link link = netlink.linkByMac(MAC).orElseThrow();
        assertThat(link.mtu()).isEqualTo(9001);
        assertThat(link.up()).isTrue();
        assertThat(netlink.addresses(link.index())).containsExactly(Addr.parse("10.0.32.7/20"));
        List<Route> table = netlink.routes(2);
        assertThat(table).hasSize(2);
        assertThat(table).anySatisfy(r -> {
            assertThat(r.destination()).isEqualTo(IpPrefix.parse("10.0.32.1/32"));
            assertThat(r.scope()).isEqualTo(Route.SCOPE_LINK);
            assertThat(r.linkIndex()).isEqualTo(link.index());
        });
        assertThat(table).anySatisfy(r -> {
            assertThat(r.destination()).isEqualTo(IpPrefix.defaultIpv4());
            assertThat(r.gateway()).contains(Ipv4Address.parse("10.0.32.1").toInet());
            assertThat(r.linkIndex()).isEqualTo(link.index());
        });
        assertThat(netlink.routes(Route.TABLE_MAIN)).noneMatch(r -> r.destination().equals(ENI.subnet()));
        assertThat(netlink.rules()).filteredOn(r -> r.priority() == 32765).singleElement()
                .satisfies(r -> assertThat(Rules.same(r, Rule.at(32765).withFrom(IpPrefix.parse("10.0.32.7/32")).withTable(2))).isTrue());

        // The same facts as iproute2 prints them.
        assertThat(node.ip("route", "show", "table", "2").lines().map(String::strip).toList())
                .containsExactly("default via 10.0.32.1 dev eth1", "10.0.32.1 dev eth1 scope link");
        assertThat(node.ip("rule", "show")).contains("32765:\tfrom 10.0.32.7 lookup 2");
        assertThat(node.ip("route", "show", "table", "main")).doesNotContain("10.0.32.0/20");
    }

    @Test
    void aSecondRunChangesNothing() throws Exception {
        attachEni("eth1", MAC);
        EniNetworkConfigurator configurator = new EniNetworkConfigurator(netlink, 9001, NO_WAIT);
        configurator.setUp(ENI);
        String before = kernelState();

        Changes again = configurator.setUp(ENI);

        assertThat(again.actions()).isEmpty();
        assertThat(kernelState()).isEqualTo(before);
    }

    @Test
    void stateMadeByAnEarlierDaemonIsLeftAlone() throws Exception {
        attachEni("eth1", MAC);
        node.ip("link", "set", "eth1", "mtu", "9001", "up");
        node.ip("addr", "add", "10.0.32.7/20", "dev", "eth1");
        node.ip("route", "del", "10.0.32.0/20", "dev", "eth1");
        node.ip("route", "add", "10.0.32.1/32", "dev", "eth1", "scope", "link", "table", "2");
        node.ip("route", "add", "default", "via", "10.0.32.1", "dev", "eth1", "table", "2");
        node.ip("rule", "add", "from", "10.0.32.7", "lookup", "2", "prio", "32765");
        String before = kernelState();

        Changes changes = new EniNetworkConfigurator(netlink, 9001, NO_WAIT).setUp(ENI);

        assertThat(changes.actions()).isEmpty();
        assertThat(kernelState()).isEqualTo(before);
    }

    @Test
    void leftoversOfAnEarlierEniAtTheSameDeviceIndexAreReplaced() throws Exception {
        attachEni("eth1", MAC);
        node.ip("link", "set", "eth1", "up");
        node.ip("addr", "add", "10.0.16.9/20", "dev", "eth1");
        node.ip("route", "add", "192.0.2.0/24", "dev", "eth1", "table", "2");
        node.ip("rule", "add", "from", "10.0.16.9", "lookup", "2", "prio", "32765");

        new EniNetworkConfigurator(netlink, 9001, NO_WAIT).setUp(ENI);

        assertThat(node.ip("addr", "show", "dev", "eth1")).doesNotContain("10.0.16.9").contains("10.0.32.7/20");
        assertThat(node.ip("route", "show", "table", "2")).doesNotContain("192.0.2.0");
        assertThat(node.ip("rule", "show")).doesNotContain("10.0.16.9").contains("from 10.0.32.7 lookup 2");
    }

    @Test
    void teardownClearsTableRuleAndAddressAndIsIdempotent() throws Exception {
        attachEni("eth1", MAC);
        EniNetworkConfigurator configurator = new EniNetworkConfigurator(netlink, 9001, NO_WAIT);
        configurator.setUp(ENI);

        Changes removed = configurator.tearDown(ENI);

        assertThat(removed.isNoop()).isFalse();
        assertThat(netlink.routes(2)).isEmpty();
        assertThat(netlink.rules()).noneMatch(r -> r.priority() == 32765);
        assertThat(node.ip("addr", "show", "dev", "eth1")).doesNotContain("10.0.32.7");
        assertThat(configurator.tearDown(ENI).isNoop()).isTrue();
    }

    @Test
    void teardownAfterTheLinkVanishedRemovesTheRule() throws Exception {
        attachEni("eth1", MAC);
        EniNetworkConfigurator configurator = new EniNetworkConfigurator(netlink, 9001, NO_WAIT);
        configurator.setUp(ENI);
        node.ip("link", "del", "eth1"); // the ENI was detached: routes went with the link, the rule stayed

        configurator.tearDown(ENI);

        assertThat(node.ip("rule", "show")).doesNotContain("32765");
    }

    @Test
    void waitsForALinkThatAppearsLateWithinTheBound() throws Exception {
        AtomicInteger sleeps = new AtomicInteger();
        LinkRetry retry = new LinkRetry(3, Duration.ofSeconds(3), d -> {
            if (sleeps.incrementAndGet() == 2) {
                attachEni("eth1", MAC);
            }
        });

        new EniNetworkConfigurator(netlink, 9001, retry).setUp(ENI);

        assertThat(sleeps).hasValue(2);
        assertThat(node.ip("route", "show", "table", "2")).contains("default via 10.0.32.1 dev eth1");
    }

    @Test
    void givesUpWhenTheLinkNeverAppears() {
        AtomicInteger sleeps = new AtomicInteger();
        LinkRetry retry = new LinkRetry(4, Duration.ofSeconds(3), d -> sleeps.incrementAndGet());

        assertThatThrownBy(() -> new EniNetworkConfigurator(netlink, 9001, retry).setUp(ENI))
                .isInstanceOf(EniLinkNotFoundException.class).hasMessageContaining(MAC.toString());
        assertThat(sleeps).hasValue(3);
    }

    @Test
    void primaryEniOnlyGetsItsMtu() throws Exception {
        MacAddress primary = MacAddress.parse("02:aa:00:00:00:20");
        attachEni("eth0", primary);
        EniNetworkConfigurator configurator = new EniNetworkConfigurator(netlink, 9001, NO_WAIT);

        configurator.configurePrimary(primary);

        assertThat(netlink.linkByMac(primary).orElseThrow().mtu()).isEqualTo(9001);
        assertThat(netlink.rules()).noneMatch(r -> r.priority() == 32765);
        assertThat(configurator.configurePrimary(primary).isNoop()).isTrue();
    }
}
