package io.vpccni.ipamd.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.ipamd.config.InvalidConfigurationException;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.policy.agent.PolicyAgent;
import io.vpccni.policy.agent.model.EnforcingMode;
import io.vpccni.policy.agent.nft.NftApplier;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.DelOk;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.IpamRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * ipamd's wiring: the settings, and the RPC handler's ADD and DEL reaching the agent. The agent runs strict mode
 * (every local pod is then isolated, so its status counts the pods it knows) with {@code true} for nft.
 */
class NodeNetworkPolicyTest {

    static final Function<IpamRequest, IpamReply> HANDLER = request -> switch (request) {
        case AddRequest add -> new AddOk("10.0.1.9", 32, 0, AddOk.MAIN_TABLE, 9001, "eni-1", Optional.empty());
        case DelRequest del -> new DelOk(Optional.of(new DelOk.Released("10.0.1.9", 0, AddOk.MAIN_TABLE)));
        default -> throw new IllegalArgumentException("not in this test");
    };

    @Test
    void offByDefaultItLeavesTheHandlerAlone() {
        IpamdConfig config = IpamdConfig.fromEnvironment(Map.of());
        NodeNetworkPolicy policy = NodeNetworkPolicy.create(config, () -> "10.0.0.10");

        assertThat(policy.wrap(HANDLER)).isSameAs(HANDLER);
        assertThat(policy.status()).isEmpty();
        assertThat(config.networkPolicy().mode()).isEqualTo(EnforcingMode.STANDARD);
    }

    @Test
    void enablingItNeedsTheNodeNameAndAKnownMode() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> IpamdConfig.fromEnvironment(Map.of(
                "ENABLE_NETWORK_POLICY", "true", "NETWORK_POLICY_ENFORCING_MODE", "lenient",
                "NETWORK_POLICY_ENDPOINT_SOURCE", "some")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("ENABLE_NETWORK_POLICY=true needs MY_NODE_NAME")
                .hasMessageContaining("NETWORK_POLICY_ENFORCING_MODE='lenient' is invalid: expected standard or strict")
                .hasMessageContaining("NETWORK_POLICY_ENDPOINT_SOURCE='some' is invalid: expected node-label or all");
        assertThat(IpamdConfig.fromEnvironment(Map.of("ENABLE_NETWORK_POLICY", "true", "MY_NODE_NAME", "n1",
                "NETWORK_POLICY_ENFORCING_MODE", "Strict")).networkPolicy().mode()).isEqualTo(EnforcingMode.STRICT);
    }

    @Test
    void aPodsAddAndDelReachTheAgentWithItsHostVeth() {
        IpamdConfig config = IpamdConfig.fromEnvironment(Map.of("ENABLE_NETWORK_POLICY", "true", "MY_NODE_NAME",
                "n1", "NETWORK_POLICY_ENFORCING_MODE", "strict"));
        PolicyAgent agent = new PolicyAgent(new PolicyAgent.Settings(Optional.of("10.0.0.10"), EnforcingMode.STRICT,
                false, Duration.ofSeconds(5)), new NftApplier(List.of("true"), Duration.ofSeconds(5)), List.of(),
                PolicyAgent.Events.NONE);
        try (NodeNetworkPolicy policy = new NodeNetworkPolicy(config.networkPolicy(), "eni", Optional.of(agent),
                a -> () -> {})) {
            policy.start(List.of());
            agent.endpointsListed(List.of(), List.of());
            Function<IpamRequest, IpamReply> wrapped = policy.wrap(HANDLER);

            IpamReply reply = wrapped.apply(new AddRequest("aws-cni", "c1", "eth0", "/var/run/netns/x", "shop",
                    "web-1", ""));
            assertThat(reply).isInstanceOf(AddOk.class);
            assertThat(agent.awaitApplied(Duration.ofSeconds(10))).isTrue();
            assertThat(policy.status().orElseThrow().pods()).isEqualTo(1);
            assertThat(policy.status().orElseThrow().mode()).isEqualTo("strict");

            wrapped.apply(new DelRequest("aws-cni", "c1", "eth0", "shop", "web-1", ""));
            assertThat(agent.awaitApplied(Duration.ofSeconds(10))).isTrue();
            assertThat(policy.status().orElseThrow().pods()).isZero();
        }
    }
}
