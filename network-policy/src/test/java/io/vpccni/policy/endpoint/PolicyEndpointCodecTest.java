package io.vpccni.policy.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyEndpointCodecTest {

    @Test
    void aPolicyEndpointSurvivesARoundTripThroughItsSpec() {
        PolicyEndpoint pe = new PolicyEndpoint("x", "allow-a-abcde", new PolicyRef("x", "allow-a"),
                Map.of("matchLabels", Map.of("pod", "a")),
                List.of(new PodEndpoint("10.0.0.10", "10.0.1.5", "a", "x")),
                Set.of(Direction.INGRESS, Direction.EGRESS),
                List.of(new PeerRule("10.0.0.0/16", List.of("10.0.3.0/24"),
                        List.of(PolicyPort.of(Protocol.TCP, 80), PolicyPort.range(Protocol.UDP, 80, 81)))),
                List.of(new PeerRule("10.0.2.7/32", List.of(), List.of())));

        Map<String, Object> spec = PolicyEndpointCodec.toSpec(pe);

        assertThat(PolicyEndpointCodec.fromSpec("x", "allow-a-abcde", spec)).isEqualTo(pe);
        assertThat(spec.get("podIsolation")).isEqualTo(List.of("Ingress", "Egress"));
    }

    @Test
    void upstreamSpellingIsRead() {
        Map<String, Object> spec = Map.of(
                "policyRef", Map.of("name", "p", "namespace", "y"),
                "podSelectorEndpoints", List.of(Map.of("hostIP", "10.0.0.9", "podIP", "10.0.1.9",
                        "name", "b", "namespace", "y")),
                "ingress", List.of(Map.of("cidr", "0.0.0.0/0", "ports",
                        List.of(Map.of("port", 80), Map.of("protocol", "SCTP", "port", 7, "endPort", 9)))));

        PolicyEndpoint pe = PolicyEndpointCodec.fromSpec("y", "p-1", spec);

        assertThat(pe.podSelectorEndpoints()).containsExactly(new PodEndpoint("10.0.0.9", "10.0.1.9", "b", "y"));
        assertThat(pe.podIsolation()).isEmpty();
        assertThat(pe.ingress().getFirst().ports()).containsExactly(PolicyPort.of(Protocol.TCP, 80),
                PolicyPort.range(Protocol.SCTP, 7, 9));
        assertThat(pe.ingress().getFirst().action()).isEqualTo(PeerRule.ALLOW);
    }

    @Test
    void aBadFieldIsNamed() {
        Map<String, Object> ref = Map.of("name", "p", "namespace", "y");
        assertThatThrownBy(() -> PolicyEndpointCodec.fromSpec("y", "p", Map.of("policyRef", ref,
                "ingress", List.of(Map.of("cidr", "1.2.3.0/24", "ports", List.of(Map.of("protocol", "ICMP")))))))
                .hasMessageContaining("spec.ingress[0].ports[].protocol is ICMP");
        assertThatThrownBy(() -> PolicyEndpointCodec.fromSpec("y", "p", Map.of("policyRef", ref,
                "egress", List.of(Map.of("cidr", "1.2.3.0/24", "ports", List.of(Map.of("port", 90, "endPort", 80)))))))
                .hasMessageContaining("spec.egress[0].ports[]: endPort 80 is not in 90-65535");
        assertThatThrownBy(() -> PolicyEndpointCodec.fromSpec("y", "p", Map.of("policyRef", ref,
                "podIsolation", List.of("Sideways"))))
                .hasMessageContaining("spec.podIsolation[] is Sideways");
        assertThatThrownBy(() -> PolicyEndpointCodec.fromSpec("y", "p", Map.of()))
                .hasMessageContaining("spec.policyRef is missing");
    }
}
