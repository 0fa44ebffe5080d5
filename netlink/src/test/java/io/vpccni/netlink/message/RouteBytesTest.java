package io.vpccni.netlink.message;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Route;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One request checked byte for byte, assembled by hand from struct nlmsghdr, struct rtmsg and
 * the RTA_* numbers of linux/rtnetlink.h: the equivalent of {@code ip route add 10.0.0.5/32
 * dev #7 table 3 scope link} (little-endian hosts).
 */
class RouteBytesTest {

    @Test
    void hostRouteInTable3MatchesTheKernelWireFormat() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN,
                "the expected bytes are written for a little-endian host; this one is big-endian");
        Route r = Route.to(IpPrefix.parse("10.0.0.5/32")).withLinkIndex(7).withTable(3).withScope(Route.SCOPE_LINK);
        String hex = HexFormat.of().formatHex(RouteMessages.add(r).bytes());
        assertThat(hex).isEqualTo(
                "34000000" + "1800" + "0506" + "00000000" + "00000000"   // nlmsghdr: len 52, RTM_NEWROUTE, REQ|ACK|EXCL|CREATE
                + "02" + "20" + "00" + "00" + "03" + "03" + "fd" + "01" + "00000000" // rtmsg: inet /32 table 3 boot link unicast
                + "0800" + "0f00" + "03000000"                          // RTA_TABLE 3
                + "0800" + "0100" + "0a000005"                          // RTA_DST 10.0.0.5
                + "0800" + "0400" + "07000000");                        // RTA_OIF 7
    }
}
