package io.vpccni.ipamd.introspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class BindAddressTest {

    @Test
    void parsesHostPortWildcardAndBracketedV6() {
        assertThat(BindAddress.parse("X", "127.0.0.1:61679")).isEqualTo(new InetSocketAddress("127.0.0.1", 61679));
        assertThat(BindAddress.parse("X", ":61678")).isEqualTo(new InetSocketAddress(61678));
        assertThat(BindAddress.parse("X", "[::1]:61679")).isEqualTo(new InetSocketAddress("::1", 61679));
    }

    @Test
    void refusesUnixSocketsNamingTheVariable() {
        assertThatThrownBy(() -> BindAddress.parse("INTROSPECTION_BIND_ADDRESS", "unix:/run/x.sock"))
                .hasMessageStartingWith("INTROSPECTION_BIND_ADDRESS=unix:/run/x.sock");
    }
}
