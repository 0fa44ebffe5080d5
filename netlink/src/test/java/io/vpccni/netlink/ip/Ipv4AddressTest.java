package io.vpccni.netlink.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netlink.api.IpPrefix;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one IPv4 syntax (dotted quads, no leading zeros, as Go's net.ParseIP), the same whether checked without an
 * exception (the plugin's messages and results) or parsed; the conversions to and from the JDK's and netlink's types;
 * a subnet's gateway.
 */
class Ipv4AddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "10.0.0.5", "255.255.255.255", "169.254.1.1"})
    void dottedQuadsAreLiteralsAndParse(String text) {
        assertThat(Ipv4Address.isLiteral(text)).isTrue();
        assertThat(Ipv4Address.parse(text)).hasToString(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0", "10.0.0.5.", "10.0.0.256", "010.0.0.5", "10.0.0.05", "1e1.0.0.1", "+1.0.0.1",
            "10..0.5", "::1", "localhost", "10.0.0.5/32", " 10.0.0.5", "1000.0.0.1"})
    void anythingElseIsNeitherALiteralNorParsed(String text) {
        assertThat(Ipv4Address.isLiteral(text)).isFalse();
        assertThatThrownBy(() -> Ipv4Address.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an IPv4 address");
    }

    @Test
    void cidrLiteralsNeedALengthOfAtMost32AndMayHaveHostBits() {
        assertThat(Ipv4Cidr.isLiteral("10.0.64.5/19")).isTrue();
        assertThat(Ipv4Cidr.isLiteral("0.0.0.0/0")).isTrue();
        assertThat(Ipv4Cidr.isLiteral("10.0.0.0/33")).isFalse();
        assertThat(Ipv4Cidr.isLiteral("10.0.0.0/")).isFalse();
        assertThat(Ipv4Cidr.isLiteral("10.0.0.0/024")).isFalse();
        assertThat(Ipv4Cidr.isLiteral("10.0.0.0")).isFalse();
        assertThat(Ipv4Cidr.isLiteral("010.0.0.0/8")).isFalse();
    }

    @Test
    void convertsToAndFromTheJdksAndNetlinksTypes() throws Exception {
        Ipv4Address address = Ipv4Address.parse("192.168.7.20");

        assertThat(address.toInet()).isEqualTo(InetAddress.getByAddress(new byte[]{(byte) 192, (byte) 168, 7, 20}));
        assertThat(Ipv4Address.of(address.toInet())).isEqualTo(address);
        assertThat(address.unsigned()).isEqualTo(3_232_237_332L);
        assertThatThrownBy(() -> Ipv4Address.of(InetAddress.ofLiteral("::1")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(IpPrefix.parse("10.0.1.7/24").toIpv4Cidr()).isEqualTo(Ipv4Cidr.parse("10.0.1.0/24"));
        assertThat(IpPrefix.of(Ipv4Cidr.parse("10.0.1.7/24"))).isEqualTo(IpPrefix.parse("10.0.1.0/24"));
        assertThatThrownBy(() -> IpPrefix.parse("fd00::/64").toIpv4Cidr()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSubnetsGatewayIsItsFirstHostAddress() {
        assertThat(Ipv4Cidr.parse("10.0.32.7/20").gateway()).isEqualTo(Ipv4Address.parse("10.0.32.1"));
        assertThatThrownBy(() -> Ipv4Cidr.parse("10.0.0.4/31").gateway()).hasMessageContaining("too small");
    }
}
