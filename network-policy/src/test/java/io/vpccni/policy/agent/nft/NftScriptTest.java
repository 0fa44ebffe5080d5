package io.vpccni.policy.agent.nft;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.policy.agent.model.AddressRange;
import io.vpccni.policy.agent.model.Allowed;
import io.vpccni.policy.agent.model.LocalPod;
import io.vpccni.policy.agent.model.NodeModel;
import io.vpccni.policy.agent.model.PodPolicy;
import io.vpccni.policy.agent.model.PortRange;
import io.vpccni.policy.agent.model.PortedRange;
import io.vpccni.policy.endpoint.Protocol;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NftScriptTest {

    static final LocalPod WIRED = new LocalPod("10.0.1.1", Optional.of("eni1111111111a"), "x", "a");
    static final LocalPod UNWIRED = new LocalPod("10.0.1.2", Optional.empty(), "x", "b");
    static final LocalPod OTHER = new LocalPod("10.0.1.3", Optional.of("eni3333333333c"), "x", "c");

    static final Allowed SOME = new Allowed(
            List.of(AddressRange.cidr("10.1.0.0/16"), AddressRange.cidr("10.3.0.7/32")),
            List.of(new PortedRange(new AddressRange(AddressRange.cidr("10.2.0.0/16").first(),
                    AddressRange.cidr("10.2.4.255/32").first()), Protocol.TCP, new PortRange(80, 81)),
                    new PortedRange(AddressRange.ALL, Protocol.SCTP, new PortRange(7, 7))));
    static final Allowed ONLY_ANY = new Allowed(List.of(AddressRange.cidr("10.9.0.0/24")), List.of());

    static NodeModel model(Map<String, Allowed> sets, PodPolicy... pods) {
        return new NodeModel(List.of(pods), sets, Set.of(), 1, List.of());
    }

    /** The lines of the block that starts with {@code header} (a set, map or chain), without the closing brace. */
    static List<String> block(String script, String header) {
        List<String> lines = script.lines().map(String::strip).toList();
        int start = lines.indexOf(header + " {");
        assertThat(start).as(header + " in\n" + script).isNotNegative();
        return lines.subList(start + 1, lines.subList(start, lines.size()).indexOf("}") + start);
    }

    @Test
    void eachRuleSetIsAnIntervalSetOfPeersAndOneOfPeerProtocolAndPorts() {
        String script = NftScript.replace(model(Map.of("r0", SOME)));

        assertThat(block(script, "set r0_any")).containsExactly("type ipv4_addr", "flags interval",
                "elements = { 10.1.0.0-10.1.255.255, 10.3.0.7 }");
        assertThat(block(script, "set r0_ports")).containsExactly("type ipv4_addr . inet_proto . inet_service",
                "flags interval", "elements = { 10.2.0.0-10.2.4.255 . tcp . 80-81, 0.0.0.0-255.255.255.255 . sctp . 7 }");
    }

    @Test
    void podsGoToTheirChainsByAddressForIngressAndByHostVethOrAddressForEgress() {
        String script = NftScript.replace(model(Map.of("r0", SOME, "r1", ONLY_ANY),
                new PodPolicy(WIRED, Optional.of(List.of("r0", "r1")), Optional.of(List.of("r1"))),
                new PodPolicy(UNWIRED, Optional.empty(), Optional.of(List.of("r1"))),
                new PodPolicy(OTHER, Optional.of(List.of("r0", "r1")), PodPolicy.DENY)));

        assertThat(block(script, "map in_pods")).containsExactly("type ipv4_addr : verdict",
                "elements = { 10.0.1.1 : jump in_0, 10.0.1.3 : jump in_0 }");
        assertThat(block(script, "map out_if")).containsExactly("type ifname : verdict",
                "elements = { \"eni1111111111a\" : jump out_0, \"eni3333333333c\" : jump deny_out }");
        assertThat(block(script, "map out_ip")).containsExactly("type ipv4_addr : verdict",
                "elements = { 10.0.1.2 : jump out_0 }");
        assertThat(block(script, "chain in_0")).containsExactly("ip saddr @r0_any accept",
                "ip saddr . meta l4proto . th dport @r0_ports accept", "ip saddr @r1_any accept",
                "counter name ingress_drops drop");
        // an egress check that passes returns to forward, where the destination's ingress check still applies
        assertThat(block(script, "chain out_0")).containsExactly("ip daddr @r1_any return",
                "counter name egress_drops drop");
        assertThat(block(script, "chain deny_out")).containsExactly("counter name egress_drops drop");
    }

    @Test
    void establishedTrafficPassesFirstThenEgressThenIngress() {
        assertThat(block(NftScript.replace(NodeModel.EMPTY), "chain forward")).containsExactly(
                "type filter hook forward priority filter; policy accept;",
                "ct state established,related accept",
                "iifname @new_out_if jump deny_out",
                "ip saddr @new_out_ip jump deny_out",
                "ip daddr @new_in jump deny_in",
                "iifname vmap @out_if",
                "ip saddr vmap @out_ip",
                "ip daddr vmap @in_pods");
    }

    @Test
    void aPodsTrafficToTheNodeItselfPassesItsEgressCheckOnly() {
        assertThat(block(NftScript.replace(NodeModel.EMPTY), "chain input")).containsExactly(
                "type filter hook input priority filter; policy accept;",
                "ct state established,related accept",
                "iifname @new_out_if jump deny_out",
                "ip saddr @new_out_ip jump deny_out",
                "iifname vmap @out_if",
                "ip saddr vmap @out_ip");
    }

    @Test
    void theWholeTableIsReplacedInOneScript() {
        String script = NftScript.replace(NodeModel.EMPTY);

        assertThat(script).startsWith("add table inet vpccni_policy\ndelete table inet vpccni_policy\n"
                + "table inet vpccni_policy {\n\tcounter ingress_drops { }\n\tcounter egress_drops { }\n");
        assertThat(block(script, "set new_in")).containsExactly("type ipv4_addr");
        assertThat(script.lines().filter(l -> l.startsWith("delete"))).hasSize(1);
    }

    @Test
    void denyingNewPodsAddsThemToPlainSetsAndLeavesTheRestAlone() {
        String script = NftScript.denyPods(List.of(WIRED, UNWIRED));

        assertThat(script).doesNotContain("delete").doesNotContain("flush map").doesNotContain("flush set")
                .doesNotContain("flush table");
        // plain sets, not the verdict maps: an address an old entry still has cannot make the transaction fail
        assertThat(script.lines().filter(l -> l.startsWith("add element"))).containsExactly(
                "add element inet vpccni_policy new_in { 10.0.1.1 }",
                "add element inet vpccni_policy new_out_if { \"eni1111111111a\" }",
                "add element inet vpccni_policy new_in { 10.0.1.2 }",
                "add element inet vpccni_policy new_out_ip { 10.0.1.2 }");
        assertThat(script).contains("add rule inet vpccni_policy forward ct state established,related accept\n");
    }

    @Test
    void dropCountersAreReadFromNftsListing() {
        String listing = """
                table inet vpccni_policy {
                	counter ingress_drops {
                		packets 12 bytes 720
                	}
                	counter egress_drops {
                		packets 3 bytes 180
                	}
                }
                """;
        assertThat(DropCounters.parse(listing)).isEqualTo(new DropCounters(12, 720, 3, 180));
    }
}
