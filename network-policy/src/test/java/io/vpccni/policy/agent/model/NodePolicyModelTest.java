package io.vpccni.policy.agent.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.policy.endpoint.Direction;
import io.vpccni.policy.endpoint.PeerRule;
import io.vpccni.policy.endpoint.PodEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.endpoint.PolicyPort;
import io.vpccni.policy.endpoint.PolicyRef;
import io.vpccni.policy.endpoint.Protocol;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodePolicyModelTest {

    static final String NODE = "10.0.0.10";
    static final LocalPod A = new LocalPod("10.0.1.1", Optional.of("eni1111111111a"), "x", "a");
    static final LocalPod B = new LocalPod("10.0.1.2", Optional.of("eni2222222222b"), "x", "b");

    static PolicyEndpoint pe(String name, List<LocalPod> pods, Set<Direction> isolation, List<PeerRule> in,
                             List<PeerRule> out) {
        return new PolicyEndpoint("x", name, new PolicyRef("x", name.replaceAll("-pe$", "")), Map.of(),
                pods.stream().map(p -> new PodEndpoint(NODE, p.ip(), p.name(), p.namespace())).toList(),
                isolation, in, out);
    }

    static NodeModel build(EnforcingMode mode, PolicyEndpoint... pes) {
        return NodePolicyModel.build(List.of(pes), List.of(A, B), Optional.of(NODE), mode);
    }

    static AddressRange r(String cidr) {
        return AddressRange.cidr(cidr);
    }

    @Test
    void aPodSelectedByNoPolicyIsOpenInStandardModeAndClosedInStrict() {
        assertThat(build(EnforcingMode.STANDARD).pods()).isEmpty();
        assertThat(build(EnforcingMode.STRICT).pods()).containsExactly(PodPolicy.denied(A), PodPolicy.denied(B));
    }

    @Test
    void defaultDenyIngressIsolatesOnlyIngress() {
        NodeModel m = build(EnforcingMode.STANDARD, pe("deny-pe", List.of(A), Set.of(Direction.INGRESS), List.of(),
                List.of()));

        assertThat(m.pods()).containsExactly(new PodPolicy(A, Optional.of(List.of("r0")), Optional.empty()));
        assertThat(m.ruleSets()).containsExactly(Map.entry("r0", Allowed.NOTHING));
        assertThat(m.endpoints()).isEqualTo(1);
        assertThat(m.policies()).containsExactly(new PolicyRef("x", "deny"));
    }

    @Test
    void strictModeFollowsPolicyTypesOnceAPolicySelectsThePod() {
        NodeModel m = build(EnforcingMode.STRICT, pe("deny-pe", List.of(A), Set.of(Direction.INGRESS), List.of(),
                List.of()));

        assertThat(m.pods()).containsExactly(new PodPolicy(A, Optional.of(List.of("r0")), Optional.empty()),
                PodPolicy.denied(B));
    }

    @Test
    void allowedPeersAreTheUnionOverThePoliciesSelectingThePod() {
        NodeModel m = build(EnforcingMode.STANDARD,
                pe("p1-pe", List.of(A), Set.of(Direction.INGRESS),
                        List.of(new PeerRule("10.0.2.1/32", List.of(), List.of())), List.of()),
                pe("p2-pe", List.of(A, B), Set.of(Direction.INGRESS),
                        List.of(new PeerRule("10.0.2.2/32", List.of(), List.of())), List.of()));

        assertThat(m.pods()).containsExactly(new PodPolicy(A, Optional.of(List.of("r0", "r1")), Optional.empty()),
                new PodPolicy(B, Optional.of(List.of("r1")), Optional.empty()));
        assertThat(m.ruleSets().get("r0").anyTraffic()).containsExactly(r("10.0.2.1/32"));
        assertThat(m.ruleSets().get("r1").anyTraffic()).containsExactly(r("10.0.2.2/32"));
    }

    @Test
    void anExceptIsCutOutOfItsRule() {
        NodeModel m = build(EnforcingMode.STANDARD, pe("p-pe", List.of(A), Set.of(Direction.EGRESS), List.of(),
                List.of(new PeerRule("10.1.0.0/16", List.of("10.1.5.0/24", "10.1.7.0/24"), List.of()))));

        assertThat(m.ruleSets().get("r0").anyTraffic()).containsExactly(
                new AddressRange(r("10.1.0.0/16").first(), r("10.1.4.255").first()),
                new AddressRange(r("10.1.6.0").first(), r("10.1.6.255").first()),
                new AddressRange(r("10.1.8.0").first(), r("10.1.255.255").first()));
    }

    @Test
    void anotherRuleMayAllowWhatOneExcepts() {
        NodeModel m = build(EnforcingMode.STANDARD, pe("p-pe", List.of(A), Set.of(Direction.EGRESS), List.of(),
                List.of(new PeerRule("10.1.0.0/16", List.of("10.1.5.0/24"), List.of()),
                        new PeerRule("10.1.5.7/32", List.of(), List.of()))));

        assertThat(m.ruleSets().get("r0").anyTraffic()).containsExactly(
                new AddressRange(r("10.1.0.0").first(), r("10.1.4.255").first()),
                r("10.1.5.7/32"),
                new AddressRange(r("10.1.6.0").first(), r("10.1.255.255").first()));
    }

    @Test
    void overlappingPortedRulesBecomeDisjointPieces() {
        NodeModel m = build(EnforcingMode.STANDARD, pe("p-pe", List.of(A), Set.of(Direction.INGRESS),
                List.of(new PeerRule("10.2.0.0/24", List.of(), List.of(PolicyPort.range(Protocol.TCP, 80, 90))),
                        new PeerRule("10.2.0.128/25", List.of(), List.of(PolicyPort.of(Protocol.TCP, 91),
                                PolicyPort.all(Protocol.UDP)))),
                List.of()));

        Allowed in = m.ruleSets().get("r0");
        assertThat(in.anyTraffic()).isEmpty();
        assertThat(in.ported()).containsExactly(
                new PortedRange(new AddressRange(r("10.2.0.0").first(), r("10.2.0.127").first()), Protocol.TCP,
                        new PortRange(80, 90)),
                new PortedRange(r("10.2.0.128/25"), Protocol.TCP, new PortRange(80, 91)),
                new PortedRange(r("10.2.0.128/25"), Protocol.UDP, PortRange.ALL));
        for (PortedRange x : in.ported()) {
            for (PortedRange y : in.ported()) {
                if (x != y && x.protocol() == y.protocol()) {
                    assertThat(x.peers().overlaps(y.peers()) && x.ports().first() <= y.ports().last()
                            && y.ports().first() <= x.ports().last()).as(x + " / " + y).isFalse();
                }
            }
        }
    }

    @Test
    void ipv6PeersAreSkippedAndWithoutPodIsolationThePolicyTypesDefaultAsTheApiServerDefaultsThem() {
        NodeModel m = build(EnforcingMode.STANDARD, pe("p-pe", List.of(B), Set.of(), List.of(),
                List.of(new PeerRule("0.0.0.0/0", List.of(), List.of(PolicyPort.of(Protocol.UDP, 53))),
                        new PeerRule("::/0", List.of(), List.of(PolicyPort.of(Protocol.UDP, 53))))));

        // policyTypes unset with egress rules: Ingress and Egress
        assertThat(m.pods()).containsExactly(new PodPolicy(B, Optional.of(List.of("r0")), Optional.of(List.of("r1"))));
        assertThat(m.ruleSets().get("r0")).isEqualTo(Allowed.NOTHING);
        assertThat(m.ruleSets().get("r1")).isEqualTo(new Allowed(List.of(),
                List.of(new PortedRange(AddressRange.ALL, Protocol.UDP, new PortRange(53, 53)))));
    }

    @Test
    void theRulesOfADirectionThePolicyDoesNotIsolateCountForNothing() {
        NodeModel m = build(EnforcingMode.STANDARD,
                pe("out-only-pe", List.of(A), Set.of(Direction.EGRESS),
                        List.of(new PeerRule("10.0.0.0/8", List.of(), List.of())), List.of()),
                pe("in-pe", List.of(A), Set.of(Direction.INGRESS),
                        List.of(new PeerRule("10.0.2.1/32", List.of(), List.of())), List.of()));

        // in-pe sorts first: its rule set is r0
        assertThat(m.pods()).containsExactly(new PodPolicy(A, Optional.of(List.of("r0")), Optional.of(List.of("r1"))));
        assertThat(m.ruleSets().get("r0").anyTraffic()).containsExactly(r("10.0.2.1/32"));
        assertThat(m.ruleSets().get("r1")).as("out-only's ingress rule is not its egress").isEqualTo(Allowed.NOTHING);
    }

    @Test
    void aBadPolicyEndpointIsSkippedAndNamedWhileTheRestIsEnforced() {
        NodeModel m = build(EnforcingMode.STANDARD,
                pe("bad-pe", List.of(A), Set.of(Direction.INGRESS),
                        List.of(new PeerRule("10.0.300.0/24", List.of(), List.of())), List.of()),
                pe("good-pe", List.of(B), Set.of(Direction.INGRESS), List.of(), List.of()));

        assertThat(m.rejected()).containsExactly(new Rejection("x", "bad-pe",
                "spec.ingress[0].cidr: 10.0.300.0/24 is not an IPv4 CIDR"));
        assertThat(m.pods()).extracting(p -> p.pod().name()).containsExactly("b");
        assertThat(m.endpoints()).isEqualTo(1);
    }

    @Test
    void podsOfOtherNodesAreIgnoredAndUnknownLocalOnesAreKeptByAddress() {
        PolicyEndpoint pe = new PolicyEndpoint("x", "p-pe", new PolicyRef("x", "p"), Map.of(),
                List.of(new PodEndpoint("10.0.0.99", "10.0.9.9", "far", "x"),
                        new PodEndpoint(NODE, "10.0.1.77", "unwired", "x")),
                Set.of(Direction.EGRESS), List.of(), List.of());

        NodeModel m = build(EnforcingMode.STANDARD, pe);

        assertThat(m.pods()).containsExactly(new PodPolicy(new LocalPod("10.0.1.77", Optional.empty(), "x",
                "unwired"), Optional.empty(), Optional.of(List.of("r0"))));
    }

    @Test
    void aRuleActionOtherThanAllowIsRefused() {
        NodeModel m = build(EnforcingMode.STANDARD, pe("deny-pe", List.of(A), Set.of(Direction.INGRESS),
                List.of(new PeerRule("10.0.0.0/8", List.of(), List.of(), "Deny")), List.of()));

        assertThat(m.rejected()).singleElement().extracting(Rejection::problem).asString()
                .contains("spec.ingress[0].action is Deny");
    }

    @Test
    void cidrsWithHostBitsAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AddressRange.cidr("10.0.0.1/16"))
                .hasMessageContaining("host bits");
        assertThat(AddressRange.cidr("0.0.0.0/0")).isEqualTo(AddressRange.ALL);
    }

    /** netlink.ip's one syntax, as upstream's agent reads CIDRs (Go's net.ParseCIDR): no octal-looking octets. */
    @Test
    void cidrsAndPodAddressesWithLeadingZerosAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AddressRange.cidr("010.0.0.0/8"))
                .hasMessage("010.0.0.0/8 is not an IPv4 CIDR");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AddressRange.cidr("10.0.0.0/33"))
                .hasMessage("10.0.0.0/33 has no prefix length 0-32");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LocalPod("10.0.1.07", Optional.empty(), "x", "a"))
                .hasMessageContaining("10.0.1.07 is not an IPv4 address");
        assertThat(AddressRange.cidr("10.0.1.7")).isEqualTo(AddressRange.single(new LocalPod("10.0.1.7",
                Optional.empty(), "x", "a").address()));
        assertThat(AddressRange.cidr("255.255.255.240/28")).hasToString("255.255.255.240-255.255.255.255");
    }
}
