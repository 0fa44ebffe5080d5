package io.vpccni.netlink.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Ipv4CidrTest {

    @Test
    void normalisesHostBitsAsGoParseCidrDoes() {
        Ipv4Cidr cidr = Ipv4Cidr.parse("10.1.2.3/8");
        assertThat(cidr).hasToString("10.0.0.0/8");
        assertThat(cidr.contains(Ipv4Address.parse("10.255.0.1"))).isTrue();
        assertThat(cidr.contains(Ipv4Address.parse("11.0.0.0"))).isFalse();
    }

    @Test
    void prefixHasSixteenAddressesInOrder() {
        Ipv4Cidr prefix = Ipv4Cidr.parse("192.168.7.16/28");
        assertThat(prefix.size()).isEqualTo(16);
        assertThat(prefix.address(15)).hasToString("192.168.7.31");
        assertThat(prefix.indexOf(Ipv4Address.parse("192.168.7.20"))).isEqualTo(4);
    }

    @Test
    void ordersHighAddressesAfterLowOnesUnsigned() {
        assertThat(Ipv4Address.parse("192.168.0.1")).isGreaterThan(Ipv4Address.parse("10.0.0.1"));
    }

    @Test
    void rejectsMalformedText() {
        for (String bad : new String[] {"10.0.0.0", "10.0.0/8", "10.0.0.256/8", "10.0.0.0/33", "fd00::/8", "a.b.c.d/8", "10.0.0.0/"}) {
            assertThatThrownBy(() -> Ipv4Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
