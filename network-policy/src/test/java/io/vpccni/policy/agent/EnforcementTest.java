package io.vpccni.policy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.netlink.testing.Shell;
import io.vpccni.policy.agent.model.EnforcingMode;
import io.vpccni.policy.agent.model.LocalPod;
import io.vpccni.policy.agent.model.NodePolicyModel;
import io.vpccni.policy.agent.model.Rejection;
import io.vpccni.policy.agent.nft.NftScript;
import io.vpccni.policy.endpoint.Direction;
import io.vpccni.policy.endpoint.PeerRule;
import io.vpccni.policy.endpoint.PodEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.endpoint.PolicyPort;
import io.vpccni.policy.endpoint.PolicyRef;
import io.vpccni.policy.endpoint.Protocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent against the kernel: a node in namespaces (NodeTestbed), PolicyEndpoints given to a PolicyAgent whose nft
 * runs in the node's host namespace, and traffic between pods, the VPC and the host checked after each change.
 */
class EnforcementTest {

    static final String NODE = "192.168.100.1";
    static final Duration APPLIED = Duration.ofSeconds(20);
    static NodeTestbed bed;
    List<PolicyAgent> agents = new ArrayList<>();

    @BeforeAll
    static void node() {
        Shell.assumePrivileged();
        Shell.require(Shell.tryRun("nft", "--version").exit() == 0, "the enforcement tests need nft (nftables)");
        bed = NodeTestbed.create("a", "b", "c", "d");
    }

    @AfterAll
    static void teardown() {
        if (bed != null) {
            bed.close();
        }
    }

    @AfterEach
    void stopAgents() {
        agents.forEach(PolicyAgent::close);
    }

    PolicyAgent agent(EnforcingMode mode, List<LocalPod> pods) {
        PolicyAgent agent = new PolicyAgent(new PolicyAgent.Settings(Optional.of(NODE), mode, false,
                Duration.ofSeconds(10)), bed.nft(), pods, PolicyAgent.Events.NONE).start();
        agents.add(agent);
        return agent;
    }

    PolicyAgent enforce(PolicyEndpoint... pes) {
        PolicyAgent agent = agent(EnforcingMode.STANDARD, bed.pods());
        agent.endpointsListed(List.of(pes), List.of());
        assertThat(agent.awaitApplied(APPLIED)).as("applied: " + agent.status()).isTrue();
        return agent;
    }

    static PolicyEndpoint pe(String name, String pod, Set<Direction> isolation, List<PeerRule> in,
                             List<PeerRule> out) {
        return new PolicyEndpoint("ns", name, new PolicyRef("ns", name), Map.of(),
                List.of(new PodEndpoint(NODE, bed.ip(pod), pod, "ns")), isolation, in, out);
    }

    static PeerRule from(String pod, PolicyPort... ports) {
        return new PeerRule(bed.ip(pod) + "/32", List.of(), List.of(ports));
    }

    @Test
    void defaultDenyIngressClosesThePodToPodsAndTheVpcButNotToItsHost() throws Exception {
        PolicyAgent agent = enforce(pe("deny-a", "a", Set.of(Direction.INGRESS), List.of(), List.of()));

        assertThat(bed.tcp("b", "a", 80)).isFalse();
        assertThat(bed.udp("b", "a", 80)).isFalse();
        assertThat(bed.tcpFromVpc(NodeTestbed.VPC_IN, "a", 80)).isFalse();
        assertThat(bed.tcpFromHost("a", 80)).as("the node's own traffic (kubelet probes)").isTrue();
        assertThat(bed.tcp("a", "b", 80)).as("egress is not isolated").isTrue();
        assertThat(bed.tcp("b", "c", 80)).isTrue();
        assertThat(agent.drops().ingressPackets()).isPositive();
        assertThat(agent.status()).extracting(PolicyAgent.Status::policies, PolicyAgent.Status::endpoints,
                PolicyAgent.Status::pods).containsExactly(1, 1, 1);
    }

    @Test
    void defaultDenyEgressClosesThePodsConnectionsButNotReplies() throws Exception {
        PolicyAgent agent = enforce(pe("deny-a-out", "a", Set.of(Direction.EGRESS), List.of(), List.of()));

        assertThat(bed.tcp("a", "b", 80)).isFalse();
        assertThat(bed.udp("a", "b", 80)).isFalse();
        assertThat(bed.reachesVpc("a", 80)).isFalse();
        assertThat(bed.tcpToHost("a", 80)).as("the node's own address is a destination like any").isFalse();
        assertThat(bed.tcpToHost("b", 80)).isTrue();
        assertThat(bed.tcpFromHost("a", 80)).as("the node's probes still reach a, and a answers").isTrue();
        assertThat(bed.tcp("b", "a", 80)).as("replies of a connection to the pod").isTrue();
        assertThat(bed.udp("b", "a", 80)).isTrue();
        assertThat(bed.reachesVpc("b", 80)).isTrue();
        assertThat(agent.drops().egressPackets()).isPositive();
    }

    @Test
    void onlyThePeersOfTheSetAreLetIn() {
        enforce(pe("allow-b-c", "a", Set.of(Direction.INGRESS), List.of(from("b"), from("c")), List.of()));

        assertThat(bed.tcp("b", "a", 80)).isTrue();
        assertThat(bed.tcp("c", "a", 81)).isTrue();
        assertThat(bed.udp("c", "a", 80)).isTrue();
        assertThat(bed.tcp("d", "a", 80)).isFalse();
    }

    @Test
    void anIpBlockExceptIsNotAllowedByItsRuleButMayBeByAnother() {
        enforce(pe("vpc", "a", Set.of(Direction.INGRESS), List.of(
                new PeerRule("10.1.0.0/16", List.of("10.1.5.0/24"), List.of()),
                new PeerRule(NodeTestbed.VPC_IN + "/32", List.of(), List.of(PolicyPort.of(Protocol.TCP, 81)))),
                List.of()));

        assertThat(bed.tcpFromVpc(NodeTestbed.VPC_OTHER, "a", 80)).isTrue();
        assertThat(bed.tcpFromVpc(NodeTestbed.VPC_IN, "a", 80)).as("excepted").isFalse();
        assertThat(bed.tcpFromVpc(NodeTestbed.VPC_IN, "a", 81)).as("allowed by the second rule").isTrue();
        assertThat(bed.tcp("b", "a", 80)).isFalse();
    }

    @Test
    void portsAndEndPortRangesAndUdpAreEnforcedApart() {
        enforce(pe("ports", "a", Set.of(Direction.INGRESS), List.of(
                from("b", PolicyPort.of(Protocol.TCP, 81)),
                from("c", PolicyPort.range(Protocol.TCP, 79, 81)),
                from("d", PolicyPort.of(Protocol.UDP, 80))), List.of()));

        assertThat(bed.tcp("b", "a", 81)).isTrue();
        assertThat(bed.tcp("b", "a", 80)).isFalse();
        assertThat(bed.udp("b", "a", 80)).isFalse();
        assertThat(bed.tcp("c", "a", 80)).isTrue();
        assertThat(bed.tcp("c", "a", 81)).isTrue();
        assertThat(bed.udp("d", "a", 80)).isTrue();
        assertThat(bed.tcp("d", "a", 80)).isFalse();
    }

    @Test
    void betweenTwoLocalPodsBothTheEgressAndTheIngressCheckApply() {
        PeerRule toB = new PeerRule(bed.ip("b") + "/32", List.of(), List.of(PolicyPort.of(Protocol.TCP, 80)));
        PolicyAgent agent = enforce(pe("a-out", "a", Set.of(Direction.EGRESS), List.of(), List.of(toB)),
                pe("b-in", "b", Set.of(Direction.INGRESS), List.of(from("c")), List.of()));

        assertThat(bed.tcp("a", "b", 80)).as("a's egress allows it, b's ingress does not").isFalse();
        assertThat(bed.tcp("c", "b", 80)).isTrue();

        agent.endpointChanged(pe("b-in", "b", Set.of(Direction.INGRESS), List.of(from("c"), from("a")), List.of()));
        assertThat(agent.awaitApplied(APPLIED)).isTrue();
        assertThat(bed.tcp("a", "b", 80)).isTrue();
        assertThat(bed.tcp("a", "b", 81)).as("a's egress allows port 80 only").isFalse();
        assertThat(bed.tcp("a", "c", 80)).isFalse();
    }

    @Test
    void anUpdateKeepsEstablishedConnectionsAndNewOnesFollowTheNewPolicy() throws Exception {
        PolicyAgent agent = enforce(pe("p", "a", Set.of(Direction.INGRESS), List.of(from("b")), List.of()));
        try (NodeTestbed.Connection open = bed.open("b", "a", 80)) {
            assertThat(open.echoes()).isTrue();

            agent.endpointChanged(pe("p", "a", Set.of(Direction.INGRESS), List.of(from("c")), List.of()));
            assertThat(agent.awaitApplied(APPLIED)).isTrue();

            assertThat(open.echoes()).as("the established connection").isTrue();
            assertThat(bed.tcp("b", "a", 80)).as("a new connection from b").isFalse();
            assertThat(bed.tcp("c", "a", 80)).isTrue();
        }
        agent.endpointDeleted("ns", "p");
        assertThat(agent.awaitApplied(APPLIED)).isTrue();
        assertThat(bed.tcp("b", "a", 80)).as("deleting the policy opens the pod").isTrue();
        assertThat(agent.status().pods()).isZero();
    }

    @Test
    void aRestartedAgentReplacesTheTableWithoutAWindow() throws Exception {
        PolicyEndpoint policy = pe("p", "a", Set.of(Direction.INGRESS), List.of(from("b")), List.of());
        enforce(policy).close(); // "killed": the table stays in the kernel

        PolicyAgent restarted = agent(EnforcingMode.STANDARD, bed.pods());
        assertThat(restarted.awaitApplied(Duration.ofMillis(200))).isTrue(); // nothing to do before the list
        assertThat(bed.tcp("c", "a", 80)).as("still enforced before the list arrives").isFalse();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger allowedFailed = new AtomicInteger();
        AtomicInteger deniedPassed = new AtomicInteger();
        AtomicInteger probes = new AtomicInteger();
        Thread prober = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                if (!bed.udp("b", "a", 80)) {
                    allowedFailed.incrementAndGet();
                }
                if (bed.tcp("c", "a", 80)) {
                    deniedPassed.incrementAndGet();
                }
                probes.incrementAndGet();
            }
        });
        String replace = NftScript.replace(NodePolicyModel.build(List.of(policy), bed.pods(), Optional.of(NODE),
                EnforcingMode.STANDARD));
        restarted.endpointsListed(List.of(policy), List.of());
        assertThat(restarted.awaitApplied(APPLIED)).isTrue();
        var nft = bed.nft();
        for (int i = 0; i < 50; i++) {
            nft.apply(replace); // what each restart's first apply does
        }
        stop.set(true);
        prober.join();

        assertThat(probes.get()).isPositive();
        assertThat(allowedFailed.get()).as("allowed probes that failed, of " + probes.get()).isZero();
        assertThat(deniedPassed.get()).as("denied probes that passed, of " + probes.get()).isZero();
    }

    @Test
    void strictModeKeepsANewPodClosedUntilItsPoliciesArrive() throws Exception {
        LocalPod d = bed.pod("d");
        // a table left by an earlier agent in which d's address (a deleted pod's, say) is open for ingress from b
        enforce(pe("old", "d", Set.of(Direction.INGRESS), List.of(from("b")), List.of())).close();
        PolicyAgent agent = agent(EnforcingMode.STRICT, List.of(bed.pod("a"), bed.pod("b")));
        agent.podAdded(d); // returns once d's deny elements are in
        assertThat(bed.tcp("b", "d", 80)).isFalse();
        assertThat(bed.tcp("d", "b", 80)).isFalse();

        agent.endpointsListed(List.of(pe("d-in", "d", Set.of(Direction.INGRESS), List.of(
                new PeerRule(NodeTestbed.VPC_IN + "/32", List.of(), List.of())), List.of())), List.of());
        assertThat(agent.awaitApplied(APPLIED)).isTrue();
        assertThat(bed.tcpFromVpc(NodeTestbed.VPC_IN, "d", 80)).isTrue();
        assertThat(bed.tcpFromVpc(NodeTestbed.VPC_OTHER, "d", 80)).isFalse();
        assertThat(bed.reachesVpc("d", 80)).as("egress follows the policy types once a policy selects d").isTrue();
        agent.podAdded(bed.pod("c")); // after the list: returns once c's deny entries are in, before the next table
        assertThat(bed.tcpFromVpc(NodeTestbed.VPC_IN, "c", 80)).as("c has no policy: strict keeps it closed")
                .isFalse();
        assertThat(bed.tcp("d", "c", 80)).isFalse();
        assertThat(bed.reachesVpc("a", 80)).as("nor may a, without a policy, reach out").isFalse();
    }

    @Test
    void aPolicyEndpointThatCannotBeEnforcedIsReportedAndTheRestEnforced() {
        List<Rejection> reported = new ArrayList<>();
        PolicyAgent agent = new PolicyAgent(new PolicyAgent.Settings(Optional.of(NODE), EnforcingMode.STANDARD, false,
                Duration.ofSeconds(10)), bed.nft(), bed.pods(),
                (ns, name, problem) -> reported.add(new Rejection(ns, name, problem))).start();
        agents.add(agent);
        agent.endpointsListed(List.of(
                pe("bad", "a", Set.of(Direction.INGRESS), List.of(new PeerRule("10.1.0.0/33", List.of(), List.of())),
                        List.of()),
                pe("good", "b", Set.of(Direction.INGRESS), List.of(), List.of())),
                List.of(new Rejection("ns", "undecodable", "spec.ingress[0].ports[].protocol is ICMP")));
        assertThat(agent.awaitApplied(APPLIED)).isTrue();

        assertThat(reported).extracting(Rejection::name).containsExactlyInAnyOrder("bad", "undecodable");
        assertThat(reported).filteredOn(r -> r.name().equals("bad")).singleElement().extracting(Rejection::problem)
                .asString().contains("spec.ingress[0].cidr");
        assertThat(bed.tcp("c", "b", 80)).isFalse();
        assertThat(bed.tcp("c", "a", 80)).isTrue();
    }
}
