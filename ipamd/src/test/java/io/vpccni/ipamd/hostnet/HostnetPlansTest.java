package io.vpccni.ipamd.hostnet;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.api.Rule;
import io.vpccni.netlink.ip.Ipv4Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure halves of ENI bring-up, node rules and sysctls. */
class HostnetPlansTest {
    private static final SecondaryEni ENI = new SecondaryEni("eni-1", MacAddress.parse("02:00:00:00:01:01"), 2,
            Ipv4Address.parse("10.0.32.7").toInet(), IpPrefix.parse("10.0.32.9/20"));

    @Test
    void tableIsDeviceIndexPlusOneAndGatewayTheSubnetsFirstAddress() {
        assertThat(ENI.routeTable()).isEqualTo(3);
        assertThat(ENI.subnet()).isEqualTo(IpPrefix.parse("10.0.32.0/20"));
        assertThat(ENI.gateway()).isEqualTo(Ipv4Address.parse("10.0.32.1").toInet());
    }

    @Test
    void layoutHasGatewayLinkRouteDefaultRouteAndFromRule() {
        EniLayout layout = new EniLayout(ENI, 7);

        assertThat(layout.address().toString()).isEqualTo("10.0.32.7/20");
        assertThat(layout.tableRoutes()).extracting(Route::toString)
                .containsExactly("10.0.32.1/32 dev#7 table 3 scope link", "0.0.0.0/0 via 10.0.32.1 dev#7 table 3");
        assertThat(layout.rule().toString()).isEqualTo("32765: from 10.0.32.7/32 lookup 3");
        assertThat(layout.mainSubnetRoute().destination()).isEqualTo(IpPrefix.parse("10.0.32.0/20"));
    }

    @Test
    void primaryEniAndAddressesOutsideTheSubnetAreRejected() {
        assertThatThrownBy(() -> new SecondaryEni("eni-0", ENI.mac(), 0, ENI.primaryIp(), ENI.subnet()))
                .hasMessageContaining("device index 0");
        assertThatThrownBy(() -> new SecondaryEni("eni-2", ENI.mac(), 1, Ipv4Address.parse("10.1.0.7").toInet(), ENI.subnet()))
                .hasMessageContaining("outside its subnet");
    }

    @Test
    void nodeRulesFollowExternalSnatAndNodePortSupport() {
        List<IpPrefix> ext = List.of(IpPrefix.parse("198.51.100.7/24"));

        assertThat(NodeRules.desired(new NodeRuleSettings(false, true, 0x80, ext))).extracting(Rule::toString)
                .containsExactly("1024: from all fwmark 0x80/0x80 lookup main", "1535: from all to 198.51.100.0/24 lookup main");
        assertThat(NodeRules.desired(new NodeRuleSettings(true, false, 0x80, List.of()))).isEmpty();
        assertThat(NodeRules.desired(new NodeRuleSettings(true, true, 0x80, List.of()))).hasSize(1);
    }

    @Test
    void sysctlsAreWrittenWhereTheyDifferAndFailuresReported(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("net/ipv4/conf/eth0"));
        Files.writeString(root.resolve("net/ipv4/conf/eth0/rp_filter"), "1\n");
        Files.writeString(root.resolve("net/ipv4/ip_forward"), "1\n");
        ProcSys procSys = new ProcSys(root);

        NodeSysctls.Report report = NodeSysctls.apply(procSys, NodeSysctls.desired(new NodeSysctls.Settings("eth0", false)));

        assertThat(report.ok()).isTrue();
        assertThat(report.changed()).containsExactly("net/ipv4/conf/eth0/rp_filter 1 -> 2");
        assertThat(procSys.read("net/ipv4/conf/eth0/rp_filter")).contains("2");
        assertThat(procSys.read("net/ipv4/tcp_early_demux")).isEmpty(); // absent: skipped, as upstream does

        NodeSysctls.Report missing = NodeSysctls.apply(procSys, NodeSysctls.desired(new NodeSysctls.Settings("eth9", false)));
        assertThat(missing.ok()).isFalse();
        assertThat(missing.failures()).singleElement().asString().contains("net/ipv4/conf/eth9/rp_filter");
    }
}
