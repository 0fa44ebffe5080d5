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
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NftScriptTest {

    static final LocalPod WIRED = new LocalPod("10.0.1.1", Optional.of("eni1111111111a"), "x", "a");
    static final LocalPod UNWIRED = new LocalPod("10.0.1.2", Optional.empty(), "x", "b");

    static final Allowed SOME = new Allowed(
            List.of(AddressRange.cidr("10.1.0.0/16"), AddressRange.cidr("10.3.0.7/32")),
            List.of(new PortedRange(new AddressRange(AddressRange.cidr("10.2.0.0/16").first(),
                    AddressRange.cidr("10.2.4.255/32").first()), Protocol.TCP, new PortRange(80, 81)),
                    new PortedRange(AddressRange.ALL, Protocol.SCTP, new PortRange(7, 7))));

    static NodeModel model(PodPolicy... pods) {
        return new NodeModel(List.of(pods), Set.of(), 1, List.of());
    }

    static List<String> lines(String script, String prefix) {
        return script.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    @Test
    void ingressIsKeyedByThePodsAddressWithItsPeersAndPorts() {
        String script = NftScript.update(model(new PodPolicy(WIRED, Optional.of(SOME), Optional.empty())));

        assertThat(lines(script, "add element")).containsExactly(
                "add element inet vpccni_policy in_iso { 10.0.1.1 }",
                "add element inet vpccni_policy in_any { 10.0.1.1 . 10.1.0.0-10.1.255.255, 10.0.1.1 . 10.3.0.7 }",
                "add element inet vpccni_policy in_ports { 10.0.1.1 . 10.2.0.0-10.2.4.255 . tcp . 80-81,"
                        + " 10.0.1.1 . 0.0.0.0-255.255.255.255 . sctp . 7 }");
    }

    @Test
    void egressIsKeyedByTheHostVethWhenIpamdWiredThePodElseByAddress() {
        String script = NftScript.update(model(
                new PodPolicy(WIRED, Optional.empty(), Optional.of(Allowed.NOTHING)),
                new PodPolicy(UNWIRED, Optional.empty(), Optional.of(new Allowed(
                        List.of(AddressRange.cidr("10.9.0.0/24")), List.of())))));

        assertThat(lines(script, "add element")).containsExactly(
                "add element inet vpccni_policy out_iso_if { \"eni1111111111a\" }",
                "add element inet vpccni_policy out_iso_ip { 10.0.1.2 }",
                "add element inet vpccni_policy out_any_ip { 10.0.1.2 . 10.9.0.0-10.9.0.255 }");
    }

    @Test
    void establishedTrafficPassesFirstAndWhatMatchesNothingIsCountedAndDropped() {
        String script = NftScript.update(NodeModel.EMPTY);

        List<String> forward = lines(script, "add rule inet vpccni_policy forward");
        assertThat(forward.getFirst()).endsWith("ct state established,related accept");
        assertThat(forward).hasSize(4);
        assertThat(lines(script, "add rule inet vpccni_policy ingress").getLast())
                .endsWith("counter name ingress_drops drop");
        assertThat(lines(script, "add rule inet vpccni_policy egress_if").getLast())
                .endsWith("counter name egress_drops drop");
        // an egress check that passes returns to forward, where the destination's ingress check still applies
        assertThat(lines(script, "add rule inet vpccni_policy egress_if")).first().asString().endsWith(" return");
        assertThat(script).contains("add chain inet vpccni_policy forward { type filter hook forward priority"
                + " filter; policy accept; }");
    }

    @Test
    void anUpdateRefillsEverySetInTheSameScriptAndAReplaceDeletesTheTableFirst() {
        String update = NftScript.update(NodeModel.EMPTY);
        assertThat(lines(update, "flush set")).hasSize(9);
        assertThat(lines(update, "delete")).isEmpty();

        String replace = NftScript.replace(NodeModel.EMPTY);
        assertThat(replace).startsWith("add table inet vpccni_policy\ndelete table inet vpccni_policy\n");
        assertThat(replace).endsWith(update);
    }

    @Test
    void denyingNewPodsAddsElementsWithoutFlushingTheOthers() {
        String script = NftScript.denyPods(List.of(WIRED));

        assertThat(lines(script, "flush set")).isEmpty();
        assertThat(lines(script, "add element")).containsExactly(
                "add element inet vpccni_policy in_iso { 10.0.1.1 }",
                "add element inet vpccni_policy out_iso_if { \"eni1111111111a\" }");
    }

    @Test
    void largeSetsAreWrittenInChunks() {
        List<PodPolicy> pods = new java.util.ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            pods.add(new PodPolicy(new LocalPod("10.0." + (i / 250) + "." + (i % 250 + 1), Optional.empty(), "x",
                    "p" + i), Optional.of(Allowed.NOTHING), Optional.empty()));
        }
        String script = NftScript.update(new NodeModel(pods, Set.of(), 1, List.of()));

        List<String> adds = lines(script, "add element inet vpccni_policy in_iso");
        assertThat(adds).hasSize(3);
        assertThat(adds.stream().mapToInt(l -> l.split(",").length).sum()).isEqualTo(2500);
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
