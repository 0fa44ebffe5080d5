package io.vpccni.policy.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.vpccni.policy.endpoint.Direction;
import io.vpccni.policy.endpoint.PeerRule;
import io.vpccni.policy.endpoint.PodEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpointLabels;
import io.vpccni.policy.endpoint.PolicyPort;
import io.vpccni.policy.endpoint.PolicyRef;
import io.vpccni.policy.endpoint.Protocol;
import io.vpccni.policy.resolve.MatrixCluster.Step;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The objects the resolver writes: one per node, their names, labels and fields, and the policies it refuses. */
class PolicyResolverTest {

    final MatrixCluster cluster = new MatrixCluster();

    static NetworkPolicy policy(String namespace, String name, String spec) {
        return ((Step.AddPolicy) PolicyCases.policy(namespace, name, spec)).policy();
    }

    Resolution resolve(String spec) {
        return PolicyResolver.resolve(policy("x", "p", spec), cluster.state());
    }

    List<ResolvedEndpoint> endpoints(String spec) {
        return ((Resolution.Resolved) resolve(spec)).endpoints();
    }

    @Test
    void onePolicyEndpointPerNodeWithThatNodesSelectedPodsAndTheNodesAddress() {
        List<ResolvedEndpoint> out = endpoints("""
                podSelector: {}
                ingress:
                - from: [{podSelector: {matchLabels: {pod: b}}}]""");

        assertThat(out).extracting(ResolvedEndpoint::nodeName).containsExactlyInAnyOrder("node-1", "node-2");
        ResolvedEndpoint node1 = out.stream().filter(e -> e.nodeName().equals("node-1")).findFirst().orElseThrow();
        PolicyEndpoint pe = node1.endpoint();
        assertThat(pe.namespace()).isEqualTo("x");
        assertThat(pe.name()).isEqualTo("p-" + PolicyEndpointLabels.hash("node-1", 10));
        assertThat(pe.policyRef()).isEqualTo(new PolicyRef("x", "p"));
        assertThat(pe.podSelectorEndpoints()).containsExactly(new PodEndpoint("10.0.0.1", "10.0.1.10", "a", "x"),
                new PodEndpoint("10.0.0.1", "10.0.1.12", "c", "x"));
        assertThat(pe.podIsolation()).containsExactly(Direction.INGRESS);
        // x/b is dual stack: its IPv6 address is a /128
        assertThat(pe.ingress()).containsExactly(new PeerRule("10.0.1.11/32", List.of(), List.of()),
                new PeerRule("fd00::1:11/128", List.of(), List.of()));
        assertThat(pe.egress()).isEmpty();
        assertThat(node1.labels()).isEqualTo(Map.of(PolicyEndpointLabels.NODE_NAME, "node-1",
                PolicyEndpointLabels.POLICY_NAME, "p"));
        ResolvedEndpoint node2 = out.stream().filter(e -> e.nodeName().equals("node-2")).findFirst().orElseThrow();
        assertThat(node2.endpoint().podSelectorEndpoints()).containsExactly(
                new PodEndpoint("10.0.0.2", "10.0.1.11", "b", "x"), new PodEndpoint("10.0.0.2", "fd00::1:11", "b", "x"));
    }

    @Test
    void podsWithoutAnAddressInTheHostNetworkOrFinishedAreNeitherSelectedNorPeers() {
        // x/pending, x/host and x/done carry pod=a too
        List<ResolvedEndpoint> out = endpoints("""
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{podSelector: {matchLabels: {pod: a}}}]""");

        assertThat(out).singleElement().satisfies(e -> {
            assertThat(e.endpoint().podSelectorEndpoints()).extracting(PodEndpoint::name).containsExactly("a");
            assertThat(e.endpoint().ingress()).extracting(PeerRule::cidr).containsExactly("10.0.1.10/32");
        });
    }

    @Test
    void aPolicySelectingNoPodWritesNothing() {
        assertThat(endpoints("""
                podSelector: {matchLabels: {pod: nobody}}
                policyTypes: [Ingress]""")).isEmpty();
    }

    @Test
    void aRuleWithoutPeersAllowsEveryIpv4AndIpv6AddressAndAnEmptyPolicyDeniesEverything() {
        assertThat(endpoints("""
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - ports: [{port: 80}]""").getFirst().endpoint().ingress()).containsExactly(
                new PeerRule("0.0.0.0/0", List.of(), List.of(PolicyPort.of(Protocol.TCP, 80))),
                new PeerRule("::/0", List.of(), List.of(PolicyPort.of(Protocol.TCP, 80))));
        PolicyEndpoint deny = endpoints("""
                podSelector: {matchLabels: {pod: a}}
                policyTypes: [Ingress, Egress]""").getFirst().endpoint();
        assertThat(deny.podIsolation()).containsExactlyInAnyOrder(Direction.INGRESS, Direction.EGRESS);
        assertThat(deny.ingress()).isEmpty();
        assertThat(deny.egress()).isEmpty();
    }

    /** docs/network-policy.md, "Named ports": a node's pods are split by their own numbering of the policy's names. */
    @Test
    void selectedPodsThatNumberANamedPortDifferentlyGetObjectsOfTheirOwn() {
        List<ResolvedEndpoint> out = endpoints("""
                podSelector: {}
                ingress:
                - ports: [{port: web}, {protocol: UDP, port: 80}]""");

        // node-1: x/a (web=80) and x/c (web=81) apart; node-2: x/b has no "web", keeps the UDP port only
        assertThat(out).hasSize(3);
        assertThat(out).extracting(e -> e.endpoint().name()).doesNotHaveDuplicates()
                .allSatisfy(n -> assertThat(n).matches("p-[0-9a-f]{10}"));
        Map<String, List<PolicyPort>> portsByPod = new java.util.HashMap<>();
        out.forEach(e -> e.endpoint().podSelectorEndpoints().forEach(p ->
                portsByPod.put(p.name(), e.endpoint().ingress().getFirst().ports())));
        assertThat(portsByPod).containsEntry("a", List.of(PolicyPort.of(Protocol.TCP, 80), PolicyPort.of(Protocol.UDP, 80)))
                .containsEntry("c", List.of(PolicyPort.of(Protocol.TCP, 81), PolicyPort.of(Protocol.UDP, 80)))
                .containsEntry("b", List.of(PolicyPort.of(Protocol.UDP, 80)));
    }

    @Test
    void aRuleWhoseNamedPortsTheSelectedPodLacksIsLeftOutRatherThanAllowingEveryPort() {
        List<ResolvedEndpoint> out = endpoints("""
                podSelector: {matchLabels: {pod: b}}
                ingress:
                - ports: [{port: web}]""");

        assertThat(out).singleElement().satisfies(e -> {
            assertThat(e.endpoint().podIsolation()).containsExactly(Direction.INGRESS);
            assertThat(e.endpoint().ingress()).isEmpty();
        });
    }

    @Test
    void aNamedEgressPortTowardsAnIpBlockMeansThePodsInsideTheBlockWithTheirOwnNumbers() {
        PolicyEndpoint pe = endpoints("""
                podSelector: {matchLabels: {pod: a}}
                policyTypes: [Egress]
                egress:
                - to: [{ipBlock: {cidr: 10.0.3.0/24, except: [10.0.3.11/32]}}]
                  ports: [{port: web}]""").getFirst().endpoint();

        // z/a names 80 "web"; z/b (81) is excepted; no CIDR rule, which would have meant every port
        assertThat(pe.egress()).containsExactly(
                new PeerRule("10.0.3.10/32", List.of(), List.of(PolicyPort.of(Protocol.TCP, 80))));
    }

    @Test
    void cidrsAreNormalisedAndEndPortKept() {
        PolicyEndpoint pe = endpoints("""
                podSelector: {matchLabels: {pod: a}}
                ingress:
                - from: [{ipBlock: {cidr: 10.0.7.9/16, except: [10.0.3.0/24]}}, {ipBlock: {cidr: "fd00:0:0::1:0/112"}}]
                  ports: [{protocol: SCTP, port: 1000, endPort: 2000}]""").getFirst().endpoint();

        List<PolicyPort> ports = List.of(PolicyPort.range(Protocol.SCTP, 1000, 2000));
        assertThat(pe.ingress()).containsExactly(new PeerRule("10.0.0.0/16", List.of("10.0.3.0/24"), ports),
                new PeerRule("fd00::1:0/112", List.of(), ports));
    }

    @Test
    void namesAndLabelsFitTheirLimitsForTheLongestNames() {
        String longName = "p".repeat(253);
        NetworkPolicy policy = policy("x", longName, "podSelector: {}\npolicyTypes: [Ingress]");
        List<ResolvedEndpoint> out = ((Resolution.Resolved) PolicyResolver.resolve(policy, cluster.state()))
                .endpoints();

        assertThat(out).hasSize(2).allSatisfy(e -> {
            assertThat(e.endpoint().name()).hasSizeLessThanOrEqualTo(253).matches("p+-[0-9a-f]{10}");
            assertThat(e.labels().values()).allSatisfy(v -> assertThat(v).hasSizeLessThanOrEqualTo(63));
        });
        assertThat(PolicyEndpointLabels.value("n".repeat(100))).hasSize(63)
                .isNotEqualTo(PolicyEndpointLabels.value("n".repeat(99)));
    }

    @Test
    void theSameStateGivesTheSameObjectsWhateverTheOrderOfItsInputs() {
        NetworkPolicy policy = policy("x", "p", """
                podSelector: {}
                ingress:
                - from: [{namespaceSelector: {}}, {ipBlock: {cidr: 10.0.0.0/8}}]
                  ports: [{port: web}]
                egress:
                - to: [{namespaceSelector: {matchLabels: {ns: y}}}]""");
        var pods = new ArrayList<>(cluster.pods());
        var namespaces = new ArrayList<>(cluster.namespaces());
        Resolution first = PolicyResolver.resolve(policy, new ClusterState(pods, namespaces));
        Collections.reverse(pods);
        Collections.reverse(namespaces);

        assertThat(PolicyResolver.resolve(policy, new ClusterState(pods, namespaces))).isEqualTo(first);
    }

    @Test
    void aPolicyTheApiServerWouldRefuseIsUnresolvableWithTheFieldNamed() {
        Map<String, String> bad = Map.of(
                "podSelector: {matchExpressions: [{key: pod, operator: Near, values: [a]}]}",
                "spec.podSelector.matchExpressions[pod]: operator Near is not In, NotIn, Exists or DoesNotExist",
                "podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 10.0.0.0/33}}]",
                "spec.ingress[0].from[0].ipBlock.cidr: \"10.0.0.0/33\": prefix length 33 is out of range",
                "podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]",
                "spec.ingress[0].from[0].ipBlock.except[] 10.1.0.0/24 is not strictly inside 10.0.0.0/16",
                "podSelector: {}\negress:\n- ports: [{port: web, endPort: 90}]",
                "spec.egress[0].ports[]: endPort 90 with named port web",
                "podSelector: {}\negress:\n- ports: [{protocol: ICMP, port: 1}]",
                "spec.egress[0].ports[].protocol is ICMP; expected TCP, UDP or SCTP",
                "podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]",
                "spec.ingress[0].from[0]: ipBlock cannot be combined with a selector",
                "podSelector: {}\npolicyTypes: [Sideways]", "spec.policyTypes[] is Sideways; expected Ingress or Egress",
                "podSelector: {}\ningress:\n- ports: [{port: 80, endPort: 79}]",
                "spec.ingress[0].ports[]: endPort 79 is not in 80-65535",
                "podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: example.com/8}}]",
                "spec.ingress[0].from[0].ipBlock.cidr: \"example.com/8\" is not an IP address or CIDR");
        bad.forEach((spec, reason) -> assertThat(resolve(spec)).as(spec)
                .isEqualTo(new Resolution.Unresolvable(new PolicyRef("x", "p"), reason)));
    }

    @Test
    void ipv6LiteralsParseAndPrintInTheirShortestForm() {
        for (String text : List.of("::/0", "fd00::1:11/128", "2001:db8::/32", "fe80::/10", "1::/16",
                "2001:db8:0:1:1:1:1:1/128", "::1/128")) {
            assertThat(Cidr.parse(text).toString()).isEqualTo(text);
        }
        assertThat(Cidr.parse("2001:0db8:0000::/48").toString()).isEqualTo("2001:db8::/48");
        assertThat(Cidr.parse("2001:db8::/32").contains(Cidr.host("2001:db8:1::5"))).isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains(Cidr.host("10.0.0.1"))).isFalse();
        assertThat(Cidr.parse("10.1.2.3/8")).isEqualTo(Cidr.parse("10.0.0.0/8")).hasSameHashCodeAs(Cidr.parse("10.0.0.0/8"));
    }
}
