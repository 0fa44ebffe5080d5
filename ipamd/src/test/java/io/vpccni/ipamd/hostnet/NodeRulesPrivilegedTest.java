package io.vpccni.ipamd.hostnet;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.testing.ScratchNamespaces;
import io.vpccni.netlink.testing.ScratchNetlink;
import io.vpccni.netlink.testing.ScratchNetns;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("privileged")
class NodeRulesPrivilegedTest {
    @RegisterExtension
    final ScratchNamespaces namespaces = new ScratchNamespaces("vpccni-hn");

    private ScratchNetns node;
    private Netlink netlink;

    @BeforeEach
    void namespace() {
        ScratchNetlink scratch = namespaces.netlink();
        node = scratch.namespace();
        netlink = scratch.netlink();
    }

    private List<String> rules() {
        return node.ip("rule", "show").lines().map(String::strip).toList();
    }

    @Test
    void reconcileAddsMissingRemovesStaleOfOursAndKeepsForeignRules() {
        // Stale ours: an old connmark and a service CIDR no longer configured. Foreign: other tables or selectors.
        node.ip("rule", "add", "fwmark", "0x40/0x40", "lookup", "main", "prio", "1024");
        node.ip("rule", "add", "to", "203.0.113.0/24", "lookup", "main", "prio", "1535");
        node.ip("rule", "add", "from", "10.9.9.9", "lookup", "100", "prio", "1024");
        node.ip("rule", "add", "to", "192.0.2.0/24", "lookup", "100", "prio", "1535");
        node.ip("rule", "add", "iif", "lo", "to", "192.0.2.0/24", "lookup", "main", "prio", "1535");
        NodeRuleSettings settings = new NodeRuleSettings(false, true, 0x80,
                List.of(IpPrefix.parse("198.51.100.0/24"), IpPrefix.parse("100.64.0.0/10")));

        Changes changes = NodeRules.reconcile(netlink, settings);

        assertThat(changes.actions()).hasSize(5);
        assertThat(rules()).contains(
                        "1024:\tfrom all fwmark 0x80/0x80 lookup main",
                        "1535:\tfrom all to 198.51.100.0/24 lookup main",
                        "1535:\tfrom all to 100.64.0.0/10 lookup main",
                        "1024:\tfrom 10.9.9.9 lookup 100",
                        "1535:\tfrom all to 192.0.2.0/24 lookup 100",
                        "1535:\tfrom all to 192.0.2.0/24 iif lo lookup main")
                .noneMatch(r -> r.contains("0x40") || r.contains("203.0.113.0"));

        String before = node.ip("rule", "show");
        assertThat(NodeRules.reconcile(netlink, settings).isNoop()).isTrue();
        assertThat(node.ip("rule", "show")).isEqualTo(before);
    }

    @Test
    void externalSnatWithoutNodePortSupportDropsTheMarkRule() {
        NodeRules.reconcile(netlink, new NodeRuleSettings(false, true, 0x80, List.of()));
        assertThat(rules()).contains("1024:\tfrom all fwmark 0x80/0x80 lookup main");

        NodeRules.reconcile(netlink, new NodeRuleSettings(true, false, 0x80, List.of()));

        assertThat(rules()).noneMatch(r -> r.startsWith("1024:"));
    }
}
