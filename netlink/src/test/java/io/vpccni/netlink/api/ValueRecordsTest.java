package io.vpccni.netlink.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueRecordsTest {

    @Test
    void macAddressParsesAndPrintsLowerCase() {
        MacAddress m = MacAddress.parse("0A:58:0a:00:00:FF");
        assertThat(m.toString()).isEqualTo("0a:58:0a:00:00:ff");
        assertThat(MacAddress.of(m.bytes())).isEqualTo(m);
    }

    @Test
    void macAddressRejectsShortForms() {
        assertThatThrownBy(() -> MacAddress.parse("0a:58:0a:00:00")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void prefixParsesBareAddressesAsHosts() {
        assertThat(IpPrefix.parse("10.0.0.5").length()).isEqualTo(32);
        assertThat(IpPrefix.parse("10.0.0.0/8").toString()).isEqualTo("10.0.0.0/8");
    }

    @Test
    void prefixRefusesHostNamesSoNoLookupHappens() {
        assertThatThrownBy(() -> IpPrefix.parse("dead.beef/32")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void interfaceNamesLongerThan15BytesAreRefusedEarly() {
        assertThatThrownBy(() -> LinkSpec.Veth.of("a-very-long-name", "eth0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid interface name");
        assertThat(LinkSpec.Veth.of("eni0123456789a", "eth0").name()).hasSize(14);
    }

    @Test
    void routeRefusesAGatewayOfAnotherFamily() {
        assertThatThrownBy(() -> Route.to(IpPrefix.parse("10.0.0.0/8")).withGateway(IpPrefix.parse("::1").address()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void routeAndRulePrintLikeIp() {
        assertThat(Route.to(IpPrefix.parse("169.254.1.1/32")).withLinkIndex(2).withScope(Route.SCOPE_LINK))
                .hasToString("169.254.1.1/32 dev#2 table main scope link");
        assertThat(Rule.at(1024).withFwmark(0x80, 0x80)).hasToString("1024: from all fwmark 0x80/0x80 lookup main");
    }
}
