package io.vpccni.netlink.message;

import io.vpccni.netlink.api.Addr;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Link;
import io.vpccni.netlink.api.LinkSpec;
import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.api.Neighbour;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.api.Rule;
import io.vpccni.netlink.ip.Ipv4Address;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A NEW request and the kernel's NEW reply share their layout, so decoding what we encode must
 * give the object back. That pins encoder and decoder to each other; the byte-level tests pin
 * them to the kernel.
 */
class CodecRoundTripTest {

    @Test
    void routeWithGatewayTableScopeMetricAndOnlinkSurvivesARoundTrip() {
        Route r = Route.to(IpPrefix.parse("10.1.0.0/16")).withGateway(Ipv4Address.parse("169.254.1.1").toInet()).withLinkIndex(7)
                .withTable(3).withScope(Route.SCOPE_LINK).withPriority(100).withOnLink(true);
        assertThat(RouteMessages.decode(Replies.only(RouteMessages.add(r).bytes()))).isEqualTo(r);
    }

    @Test
    void defaultRouteOmitsRtaDstAndDecodesToZeroSlashZero() {
        Route r = Route.to(IpPrefix.defaultIpv4()).withGateway(Ipv4Address.parse("169.254.1.1").toInet()).withLinkIndex(2);
        Message m = Replies.only(RouteMessages.add(r).bytes());
        assertThat(m.attributesAfter(RtMsg.SIZE).has(RouteMessages.RTA_DST)).isFalse();
        assertThat(RouteMessages.decode(m)).isEqualTo(r);
    }

    @Test
    void tableIdsAbove255TravelOnlyInRtaTable() {
        Route r = Route.to(IpPrefix.parse("10.0.0.0/8")).withLinkIndex(1).withTable(1000);
        Message m = Replies.only(RouteMessages.add(r).bytes());
        assertThat(RtMsg.read(m.body()).table()).isZero();
        assertThat(RouteMessages.decode(m).table()).isEqualTo(1000);
    }

    @Test
    void routeDeleteSendsWildcardScopeProtocolAndType() {
        Route r = Route.to(IpPrefix.parse("10.0.0.5/32")).withLinkIndex(4).withScope(Route.SCOPE_LINK);
        RtMsg h = RtMsg.read(Replies.only(RouteMessages.delete(r).bytes()).body());
        assertThat(h.scope()).isEqualTo(Route.SCOPE_NOWHERE);
        assertThat(h.protocol()).isZero();
        assertThat(h.type()).isZero();
    }

    @Test
    void ruleWithSelectorsAndMarkSurvivesARoundTrip() {
        Rule r = Rule.at(1536).withFrom(IpPrefix.parse("10.0.0.5/32")).withTo(IpPrefix.parse("10.2.0.0/16"))
                .withTable(3).withFwmark(0x80, 0x80).withIif("eth1").withOif("eth2");
        assertThat(RuleMessages.decode(Replies.only(RuleMessages.add(r).bytes()))).isEqualTo(r);
    }

    @Test
    void ruleMarkWithoutMaskMeansAllBitsLikeTheKernelReports() {
        Rule r = Rule.at(1024).withFwmark(0x80, 0);
        assertThat(r.fwmask()).isEqualTo(0xFFFF_FFFF);
        assertThat(RuleMessages.decode(Replies.only(RuleMessages.add(r).bytes()))).isEqualTo(r);
    }

    @Test
    void ruleEncodesSourceLengthAndDestinationLengthInTheHeader() {
        Rule r = Rule.at(512).withTo(IpPrefix.parse("10.0.0.5/32"));
        FibRuleHdr h = FibRuleHdr.read(Replies.only(RuleMessages.add(r).bytes()).body());
        assertThat(h).isEqualTo(new FibRuleHdr(AddressFamily.AF_INET, 32, 0, 0, 254, FibRuleHdr.FR_ACT_TO_TBL, 0));
    }

    @Test
    void permanentNeighbourSurvivesARoundTrip() {
        Neighbour n = Neighbour.permanent(Ipv4Address.parse("169.254.1.1").toInet(), MacAddress.parse("02:00:00:aa:bb:cc"), 3);
        assertThat(NeighbourMessages.decode(Replies.only(NeighbourMessages.replace(n).bytes()))).isEqualTo(n);
    }

    @Test
    void addressSurvivesARoundTripWithItsLinkIndex() {
        Addr a = Addr.parse("10.0.0.5/24");
        assertThat(AddrMessages.decode(Replies.only(AddrMessages.add(9, a).bytes())))
                .isEqualTo(new AddrMessages.Entry(9, a));
    }

    @Test
    void vethRequestDecodesAsItsFirstEnd() {
        MacAddress mac = MacAddress.parse("0a:58:0a:00:00:01");
        LinkSpec.Veth spec = LinkSpec.Veth.of("eni1234", "eth0").withMtu(9001).withMac(mac);
        Link l = LinkMessages.decode(Replies.only(LinkMessages.newVeth(spec, 33).bytes()));
        assertThat(l).isEqualTo(new Link(0, "eni1234", Optional.of(mac), 9001, false, Optional.of("veth")));
    }

    @Test
    void vethPeerInfoIsAnIfinfomsgFollowedByNameMtuMacAndNamespaceFd() {
        MacAddress peerMac = MacAddress.parse("02:00:00:00:00:02");
        LinkSpec.Veth spec = LinkSpec.Veth.of("h", "eth0").withMtu(1400).withPeerMac(peerMac);
        Message m = Replies.only(LinkMessages.newVeth(spec, 33).bytes());
        ByteBuffer peer = m.attributesAfter(IfInfoMsg.SIZE)
                .nested(LinkMessages.IFLA_LINKINFO).orElseThrow()
                .nested(LinkMessages.IFLA_INFO_DATA).orElseThrow()
                .raw(LinkMessages.VETH_INFO_PEER).orElseThrow();
        assertThat(IfInfoMsg.read(peer.duplicate())).isEqualTo(IfInfoMsg.any());
        Attributes peerAttrs = Attributes.parse(peer.position(IfInfoMsg.SIZE));
        assertThat(peerAttrs.string(LinkMessages.IFLA_IFNAME)).contains("eth0");
        assertThat(peerAttrs.u32(LinkMessages.IFLA_MTU)).hasValue(1400);
        assertThat(peerAttrs.bytes(LinkMessages.IFLA_ADDRESS)).hasValueSatisfying(b -> assertThat(b).isEqualTo(peerMac.bytes()));
        assertThat(peerAttrs.u32(LinkMessages.IFLA_NET_NS_FD)).hasValue(33);
    }

    @Test
    void vethTransmitQueueLengthIsSentForBothEndsOnlyWhenSet() {
        Message m = Replies.only(LinkMessages.newVeth(LinkSpec.Veth.of("a", "b").withTxQueueLen(0), -1).bytes());
        ByteBuffer peer = m.attributesAfter(IfInfoMsg.SIZE).nested(LinkMessages.IFLA_LINKINFO).orElseThrow()
                .nested(LinkMessages.IFLA_INFO_DATA).orElseThrow().raw(LinkMessages.VETH_INFO_PEER).orElseThrow();
        assertThat(m.attributesAfter(IfInfoMsg.SIZE).u32(LinkMessages.IFLA_TXQLEN)).hasValue(0);
        assertThat(Attributes.parse(peer.position(IfInfoMsg.SIZE)).u32(LinkMessages.IFLA_TXQLEN)).hasValue(0);
        Message plain = Replies.only(LinkMessages.newVeth(LinkSpec.Veth.of("a", "b"), -1).bytes());
        assertThat(plain.attributesAfter(IfInfoMsg.SIZE).has(LinkMessages.IFLA_TXQLEN)).isFalse();
    }

    @Test
    void vethWithoutPeerNamespaceSendsNoNamespaceFd() {
        Message m = Replies.only(LinkMessages.newVeth(LinkSpec.Veth.of("a", "b"), -1).bytes());
        ByteBuffer peer = m.attributesAfter(IfInfoMsg.SIZE).nested(LinkMessages.IFLA_LINKINFO).orElseThrow()
                .nested(LinkMessages.IFLA_INFO_DATA).orElseThrow().raw(LinkMessages.VETH_INFO_PEER).orElseThrow();
        assertThat(Attributes.parse(peer.position(IfInfoMsg.SIZE)).has(LinkMessages.IFLA_NET_NS_FD)).isFalse();
    }

    @Test
    void setUpChangesOnlyTheUpFlag() {
        IfInfoMsg down = IfInfoMsg.read(Replies.only(LinkMessages.setUp(5, false).bytes()).body());
        assertThat(down).isEqualTo(new IfInfoMsg(0, 0, 5, 0, IfInfoMsg.IFF_UP));
    }

    @Test
    void requestsAskForAnAckAndCreatesAreExclusive() {
        Route r = Route.to(IpPrefix.parse("10.0.0.0/8")).withLinkIndex(1);
        assertThat(RouteMessages.add(r).flags())
                .isEqualTo(NlMsgHdr.F_REQUEST | NlMsgHdr.F_ACK | NlMsgHdr.F_CREATE | NlMsgHdr.F_EXCL);
        assertThat(RouteMessages.replace(r).flags())
                .isEqualTo(NlMsgHdr.F_REQUEST | NlMsgHdr.F_ACK | NlMsgHdr.F_CREATE | NlMsgHdr.F_REPLACE);
        assertThat(RouteMessages.delete(r).flags()).isEqualTo(NlMsgHdr.F_REQUEST | NlMsgHdr.F_ACK);
        assertThat(LinkMessages.dump().flags()).isEqualTo(NlMsgHdr.F_REQUEST | NlMsgHdr.F_DUMP);
        assertThat(LinkMessages.dump().dump()).isTrue();
    }

    @Test
    void operationsNameTheMessageAndTheObject() {
        Route r = Route.to(IpPrefix.parse("10.0.0.5/32")).withTable(3);
        assertThat(RouteMessages.add(r).operation()).isEqualTo("RTM_NEWROUTE 10.0.0.5/32 table 3");
        assertThat(RuleMessages.delete(Rule.at(512).withTo(IpPrefix.parse("10.0.0.5/32"))).operation())
                .isEqualTo("RTM_DELRULE 512: from all to 10.0.0.5/32 lookup main");
    }
}
