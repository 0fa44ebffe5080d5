package io.vpccni.netlink.socket;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.LinkSpec;
import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.api.Neighbour;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.api.Rule;
import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.testing.ScratchNamespaces;
import io.vpccni.netlink.testing.ScratchNetlink;
import io.vpccni.netlink.testing.ScratchNetns;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The policy rules and neighbour entries the CNI sets up, in one scratch namespace. */
@Tag("privileged")
class RuleNeighbourTest {
    private static final IpPrefix POD = IpPrefix.parse("10.0.0.5/32");
    private static final MacAddress HOST_VETH = MacAddress.parse("02:00:00:00:01:01");

    @RegisterExtension
    final ScratchNamespaces namespaces = new ScratchNamespaces("vpccni-nltest");

    private ScratchNetns ns;
    private Netlink nl;

    @BeforeEach
    void createNamespace() {
        ScratchNetlink scratch = namespaces.netlink();
        ns = scratch.namespace();
        nl = scratch.netlink();
    }

    @Test
    void addsTheCniRulesAndIpShowsThem() {
        List<Rule> rules = List.of(
                Rule.at(512).withTo(POD).withTable(Route.TABLE_MAIN),
                Rule.at(1024).withFwmark(0x80, 0x80).withTable(Route.TABLE_MAIN),
                Rule.at(1536).withFrom(POD).withTable(3),
                Rule.at(32765).withFrom(IpPrefix.parse("10.0.0.10/32")).withTable(Route.TABLE_MAIN));
        rules.forEach(nl::addRule);

        String shown = ns.ip("-4", "rule", "show");
        assertThat(shown).contains("512:\tfrom all to 10.0.0.5 lookup main")
                .contains("1024:\tfrom all fwmark 0x80/0x80 lookup main")
                .contains("1536:\tfrom 10.0.0.5 lookup 3")
                .contains("32765:\tfrom 10.0.0.10 lookup main");
        assertThat(nl.rules()).containsAll(rules);
    }

    @Test
    void deletesRulesAndDeletingAMissingOneIsNoSuchObject() {
        Rule r = Rule.at(1536).withFrom(POD).withTable(3);
        nl.addRule(r);
        nl.deleteRule(r);
        assertThat(nl.rules()).doesNotContain(r);
        assertThatThrownBy(() -> nl.deleteRule(r))
                .isInstanceOf(NetlinkException.NoSuchObject.class)
                .hasMessageStartingWith("RTM_DELRULE 1536: from 10.0.0.5/32 lookup 3: No such file or directory (ENOENT)");
    }

    @Test
    void addingAnIdenticalRuleIsAlreadyExists() {
        Rule r = Rule.at(512).withTo(POD);
        nl.addRule(r);
        assertThatThrownBy(() -> nl.addRule(r)).isInstanceOf(NetlinkException.AlreadyExists.class);
    }

    @Test
    void permanentNeighbourCanBeAddedReplacedListedAndDeleted() {
        int eth0 = nl.addLink(LinkSpec.Veth.of("eth0", "peer0")).index();
        Neighbour gw = Neighbour.permanent(Ipv4Address.parse("169.254.1.1").toInet(), HOST_VETH, eth0);

        nl.addNeighbour(gw);
        assertThat(ns.ip("-4", "neigh", "show", "dev", "eth0")).contains("169.254.1.1 lladdr " + HOST_VETH + " PERMANENT");
        assertThat(nl.neighbours(eth0)).containsExactly(gw);
        assertThatThrownBy(() -> nl.addNeighbour(gw)).isInstanceOf(NetlinkException.AlreadyExists.class);

        Neighbour moved = Neighbour.permanent(gw.address(), MacAddress.parse("02:00:00:00:01:02"), eth0);
        nl.replaceNeighbour(moved);
        assertThat(nl.neighbours(eth0)).containsExactly(moved);

        nl.deleteNeighbour(moved);
        assertThat(nl.neighbours(eth0)).isEmpty();
        assertThatThrownBy(() -> nl.deleteNeighbour(moved)).isInstanceOf(NetlinkException.NoSuchObject.class);
    }
}
