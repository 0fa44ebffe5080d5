package io.vpccni.ipamd.hostnet;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.socket.KernelNetlink;
import io.vpccni.netlink.testing.ScratchNamespaces;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node with a primary ENI (eth0, main table) and a secondary one (eth1, table 2), one pod on each, wired as the
 * plugin does; the kernel's own route lookup shows which table each pod's traffic uses, and what the node rules
 * and sysctls change.
 */
@Tag("privileged")
class NodeRoutingPrivilegedTest {
    private static final SecondaryEni ETH1 = new SecondaryEni("eni-0sim1", MacAddress.parse("02:aa:00:00:00:31"), 1,
            Ipv4Address.parse("10.0.32.7").toInet(), IpPrefix.parse("10.0.32.0/20"));

    @RegisterExtension
    final ScratchNamespaces namespaces = new ScratchNamespaces("vpccni-hn");

    private ScratchNetns node;
    private ScratchNetns fabric;
    private ScratchNetns pods;
    private Netlink netlink;

    @BeforeEach
    void node() throws Exception {
        node = namespaces.create();
        fabric = namespaces.create();
        pods = namespaces.create();
        try (NetNs ns = NetNs.named(node.name())) {
            netlink = namespaces.closeFirst(KernelNetlink.openIn(ns));
        }
        node.ip("link", "add", "eth0", "address", "02:aa:00:00:00:30", "type", "veth", "peer", "name", "f-eth0",
                "netns", fabric.name());
        node.ip("link", "add", "eth1", "address", ETH1.mac().toString(), "type", "veth", "peer", "name", "f-eth1",
                "netns", fabric.name());
        fabric.ip("link", "set", "f-eth0", "up");
        fabric.ip("link", "set", "f-eth1", "up");
        node.ip("link", "set", "eth0", "up");
        node.ip("addr", "add", "10.0.0.10/20", "dev", "eth0");
        node.ip("route", "add", "default", "via", "10.0.0.1", "dev", "eth0");
        // Forwarding is what lets the node route pods' packets at all (route get with iif fails without it).
        try (NetNs ns = NetNs.named(node.name())) {
            NodeSysctls.Report report = ns.run(() -> NodeSysctls.apply(ProcSys.host(),
                    NodeSysctls.desired(new NodeSysctls.Settings("eth0", false))));
            assertThat(report.failures()).isEmpty();
        }
        new EniNetworkConfigurator(netlink, 9001, new LinkRetry(1, Duration.ZERO, d -> {})).setUp(ETH1);

        // What the plugin does per pod (docs/node-contract.md, "Pod and host data plane"): a veth, a /32 route
        // and rules.
        addPod("enia", "10.0.32.50", true);
        addPod("enib", "10.0.0.60", false);
    }

    private void addPod(String hostVeth, String ip, boolean onSecondaryEni) {
        node.ip("link", "add", hostVeth, "type", "veth", "peer", "name", "p-" + hostVeth, "netns", pods.name());
        node.ip("link", "set", hostVeth, "up");
        pods.ip("link", "set", "p-" + hostVeth, "up");
        node.ip("route", "add", ip + "/32", "dev", hostVeth, "scope", "link");
        node.ip("rule", "add", "to", ip, "lookup", "main", "prio", "512");
        if (onSecondaryEni) {
            node.ip("rule", "add", "from", ip, "lookup", "2", "prio", "1536");
        }
    }

    private String routeGet(String... args) {
        return node.ip(concat(List.of("route", "get"), args)).strip();
    }

    private static String[] concat(List<String> head, String... tail) {
        return java.util.stream.Stream.concat(head.stream(), java.util.Arrays.stream(tail)).toArray(String[]::new);
    }

    @Test
    void podOnSecondaryEniLeavesThroughItsTableAndPodOnPrimaryThroughMain() {
        assertThat(routeGet("203.0.113.9", "from", "10.0.32.50", "iif", "enia"))
                .contains("via 10.0.32.1 dev eth1 table 2");
        assertThat(routeGet("203.0.113.9", "from", "10.0.0.60", "iif", "enib"))
                .contains("via 10.0.0.1 dev eth0").doesNotContain("table 2");
    }

    @Test
    void trafficToAPodUsesMainWhateverItsSource() {
        assertThat(routeGet("10.0.0.60", "from", "10.0.32.50", "iif", "enia")).contains("dev enib");
        assertThat(routeGet("10.0.32.50", "from", "10.0.0.60", "iif", "enib")).contains("dev enia");
    }

    @Test
    void theEniPrimaryAddressIsRoutedThroughItsOwnEni() {
        assertThat(routeGet("203.0.113.9", "from", "10.0.32.7")).contains("via 10.0.32.1 dev eth1 table 2");
    }

    @Test
    void markedConnectionsAndExternalServiceCidrsGoThroughMain() {
        NodeRules.reconcile(netlink, new NodeRuleSettings(false, true, 0x80, List.of(IpPrefix.parse("198.51.100.0/24"))));

        assertThat(routeGet("203.0.113.9", "from", "10.0.32.50", "iif", "enia", "mark", "0x80"))
                .contains("via 10.0.0.1 dev eth0");
        assertThat(routeGet("198.51.100.7", "from", "10.0.32.50", "iif", "enia")).contains("via 10.0.0.1 dev eth0");
        assertThat(routeGet("203.0.113.9", "from", "10.0.32.50", "iif", "enia")).contains("dev eth1 table 2");
    }

    @Test
    void sysctlsLandInTheNodeNamespaceOnly() throws Exception {
        String rootForward = Shell.run("cat", "/proc/sys/net/ipv4/ip_forward").strip();
        NodeSysctls.Report again;
        try (NetNs ns = NetNs.named(node.name())) {
            again = ns.run(() -> NodeSysctls.apply(ProcSys.host(),
                    NodeSysctls.desired(new NodeSysctls.Settings("eth0", false))));
        }

        assertThat(again.failures()).isEmpty();
        assertThat(again.changed()).isEmpty();
        assertThat(node.run("sysctl", "-n", "net.ipv4.conf.eth0.rp_filter").strip()).isEqualTo("2");
        assertThat(node.run("sysctl", "-n", "net.ipv4.ip_forward").strip()).isEqualTo("1");
        assertThat(Shell.run("cat", "/proc/sys/net/ipv4/ip_forward").strip()).isEqualTo(rootForward);
    }
}
