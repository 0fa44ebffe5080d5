package io.vpccni.ipamd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netlink.ip.Ipv4Cidr;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpamdConfigTest {

    private static IpamdConfig parse(Map<String, String> env) {
        return IpamdConfig.fromEnvironment(env);
    }

    private static IpamdConfig parse(String key, String value) {
        return parse(Map.of(key, value));
    }

    @Test
    void emptyEnvironmentGivesAwsVpcCniDefaults() {
        IpamdConfig config = parse(Map.of());

        assertThat(config.pool()).isEqualTo(new WarmPoolSettings(1, 0, 0, 0, false, 0, Duration.ofSeconds(30),
                false, false, Duration.ofSeconds(20), false));
        assertThat(config.eni()).isEqualTo(new EniSettings(false, "k8s.amazonaws.com/eniConfig",
                "k8s.amazonaws.com/eniConfig", Optional.empty(), Map.of(), false, true, true, 9001, false));
        assertThat(config.hostNetwork()).isEqualTo(new HostNetworkSettings(false, List.of(), SnatRandomization.PRNG,
                List.of(), true, 9001, "eni", 0x80));
        assertThat(config.daemon()).isEqualTo(new DaemonSettings(LogLevel.DEBUG, "/var/log/vpc-cni/ipamd.log",
                LogLevel.DEBUG, "/var/log/vpc-cni/plugin.log", false, "127.0.0.1:61679", false, "127.0.0.1:61678",
                Path.of("/var/run/aws-node/ipam.json"), Path.of("/var/run/vpc-cni/ipamd.sock"), true, false,
                Optional.empty()));
    }

    @Test
    void theEc2BudgetOnLeasesNeedsTheNodesNameForItsShardsHolder() {
        assertThatThrownBy(() -> parse("VPC_CNI_EC2_BUDGET_LEASES", "true"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("VPC_CNI_EC2_BUDGET_LEASES=true needs MY_NODE_NAME");
        assertThat(parse(Map.of("VPC_CNI_EC2_BUDGET_LEASES", "true", "MY_NODE_NAME", "node-a")).eni()
                .ec2BudgetLeases()).isTrue();
    }

    @Test
    void emptyOrBlankValuesMeanDefault() {
        assertThat(parse(Map.of("WARM_ENI_TARGET", "", "AWS_VPC_ENI_MTU", "  "))).isEqualTo(parse(Map.of()));
    }

    @Test
    void keyTableListsEveryVariableOnceWithADescription() {
        List<String> names = IpamdConfig.KEYS.stream().map(ConfigKey::name).toList();

        assertThat(new HashSet<>(names)).hasSameSizeAs(names);
        assertThat(names).contains("WARM_ENI_TARGET", "WARM_IP_TARGET", "MINIMUM_IP_TARGET", "WARM_PREFIX_TARGET",
                "ENABLE_PREFIX_DELEGATION", "MAX_ENI", "IP_COOLDOWN_PERIOD", "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",
                "ENI_CONFIG_LABEL_DEF", "ENI_CONFIG_ANNOTATION_DEF", "AWS_VPC_K8S_CNI_EXTERNALSNAT",
                "AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS", "AWS_VPC_K8S_CNI_RANDOMIZESNAT", "AWS_VPC_ENI_MTU", "POD_MTU",
                "AWS_VPC_K8S_CNI_VETHPREFIX", "CLUSTER_NAME", "ADDITIONAL_ENI_TAGS", "DISABLE_LEAKED_ENI_CLEANUP",
                "AWS_MANAGE_ENIS_NON_SCHEDULABLE", "ENABLE_SUBNET_DISCOVERY", "AWS_EXTERNAL_SERVICE_CIDRS",
                "AWS_VPC_K8S_CNI_LOGLEVEL", "AWS_VPC_K8S_CNI_LOG_FILE", "DISABLE_INTROSPECTION", "DISABLE_METRICS",
                "AWS_VPC_K8S_CNI_BACKING_STORE", "ANNOTATE_POD_IP", "MY_NODE_NAME",
                "DISABLE_NETWORK_RESOURCE_PROVISIONING", "AWS_VPC_K8S_CNI_CONNMARK", "AWS_VPC_K8S_PLUGIN_LOG_FILE",
                "AWS_VPC_K8S_PLUGIN_LOG_LEVEL", "INTROSPECTION_BIND_ADDRESS", "METRICS_BIND_ADDRESS", "VPC_CNI_SOCKET",
                "VPC_CNI_ADD_WAIT", "VPC_CNI_PLUGIN_SERVER");
        assertThat(IpamdConfig.KEYS).allSatisfy(k -> assertThat(k.description()).isNotBlank());
    }

    @Test
    void everyDocumentedDefaultIsItselfAValidValue() {
        for (ConfigKey key : IpamdConfig.KEYS) {
            if (!key.defaultValue().isEmpty()) {
                assertThat(parse(key.name(), key.defaultValue())).as(key.name()).isEqualTo(parse(Map.of()));
            }
        }
    }

    @Test
    void parsesValidValues() {
        IpamdConfig config = parse(Map.ofEntries(
                Map.entry("WARM_IP_TARGET", "5"), Map.entry("MINIMUM_IP_TARGET", "10"),
                Map.entry("ENABLE_PREFIX_DELEGATION", "True"), Map.entry("IP_COOLDOWN_PERIOD", "0"),
                Map.entry("VPC_CNI_ADD_WAIT", "500ms"), Map.entry("CLUSTER_NAME", "prod"),
                Map.entry("ADDITIONAL_ENI_TAGS", "{\"team\":\"net\",\"cost\":\"42\"}"),
                Map.entry("AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS", "10.0.0.0/8, 192.168.1.7/24,"),
                Map.entry("AWS_VPC_K8S_CNI_RANDOMIZESNAT", "hashrandom"), Map.entry("AWS_VPC_ENI_MTU", "1500"),
                Map.entry("AWS_VPC_K8S_CNI_CONNMARK", "128"), Map.entry("AWS_VPC_K8S_CNI_LOGLEVEL", "info"),
                Map.entry("METRICS_BIND_ADDRESS", ":61678"), Map.entry("INTROSPECTION_BIND_ADDRESS", "unix:/run/i.sock"),
                Map.entry("MY_NODE_NAME", "ip-10-0-0-1")));

        assertThat(config.pool().warmIpTarget()).isEqualTo(5);
        assertThat(config.pool().ipTargetsInForce()).isTrue();
        assertThat(config.pool().ipCooldown()).isZero();
        assertThat(config.pool().addWait()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.eni().clusterName()).contains("prod");
        assertThat(config.eni().additionalTags()).containsExactlyInAnyOrderEntriesOf(Map.of("team", "net", "cost", "42"));
        assertThat(config.hostNetwork().excludeSnatCidrs())
                .containsExactly(Ipv4Cidr.parse("10.0.0.0/8"), Ipv4Cidr.parse("192.168.1.0/24"));
        assertThat(config.hostNetwork().randomizeSnat()).isEqualTo(SnatRandomization.HASHRANDOM);
        assertThat(config.hostNetwork().podMtu()).as("POD_MTU follows AWS_VPC_ENI_MTU").isEqualTo(1500);
        assertThat(config.hostNetwork().connmark()).isEqualTo(128);
        assertThat(config.daemon().logLevel()).isEqualTo(LogLevel.INFO);
        assertThat(config.daemon().nodeName()).contains("ip-10-0-0-1");
    }

    @Test
    void zeroOrUnsetIpTargetsAreTheSame() { // E1
        IpamdConfig zero = parse(Map.of("WARM_IP_TARGET", "0", "MINIMUM_IP_TARGET", "0"));

        assertThat(zero).isEqualTo(parse(Map.of()));
        assertThat(zero.pool().ipTargetsInForce()).isFalse();
    }

    @ParameterizedTest(name = "MAX_ENI={0} -> {1}")
    @CsvSource({"2, 2", "5, 5", "0, 0"})
    void maxEniZeroMeansTheInstanceLimit(String value, int expected) { // E28
        assertThat(parse("MAX_ENI", value).pool().maxEni()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            WARM_ENI_TARGET                    | -1           | an integer >= 0
            WARM_IP_TARGET                     | five         | an integer >= 0
            MINIMUM_IP_TARGET                  | 1.5          | an integer >= 0
            WARM_PREFIX_TARGET                 | -2           | an integer >= 0
            MAX_ENI                            | x            | an integer >= 0
            MAX_ENI                            | -1           | an integer >= 0
            IP_COOLDOWN_PERIOD                 | 30s          | a whole number of seconds >= 0
            ENABLE_PREFIX_DELEGATION           | yes          | true or false
            AWS_VPC_ENI_MTU                    | 9002         | an integer from 576 to 9001
            POD_MTU                            | 575          | an integer from 576 to 9001
            AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS | 10.0.0.0/8,nope | comma-separated IPv4 CIDRs
            AWS_EXTERNAL_SERVICE_CIDRS         | fd00::/8     | comma-separated IPv4 CIDRs
            AWS_VPC_K8S_CNI_RANDOMIZESNAT      | random       | one of prng, hashrandom, none
            ADDITIONAL_ENI_TAGS                | {team:net}   | a JSON object
            ADDITIONAL_ENI_TAGS                | {"k8s.amazonaws.com/x":"y"} | not starting with k8s.amazonaws.com
            ADDITIONAL_ENI_TAGS                | {"n":1}      | a JSON object
            AWS_VPC_K8S_CNI_VETHPREFIX         | toolong      | 1 to 4 characters
            AWS_VPC_K8S_CNI_VETHPREFIX         | eth          | not eth, lo or vlan
            AWS_VPC_K8S_CNI_CONNMARK           | 0x100000000  | an integer from 1 to 0xffffffff
            AWS_VPC_K8S_CNI_LOGLEVEL           | verbose      | one of debug, info, warn, error, fatal
            AWS_VPC_K8S_PLUGIN_LOG_FILE        | stdout       | stderr or an absolute file path
            AWS_VPC_K8S_CNI_BACKING_STORE      | ipam.json    | an absolute path
            METRICS_BIND_ADDRESS               | 127.0.0.1    | host:port
            INTROSPECTION_BIND_ADDRESS         | :99999       | host:port
            VPC_CNI_ADD_WAIT                   | soon         | a duration
            VPC_CNI_ADD_WAIT                   | 26s          | a duration up to 25s
            DISABLE_METRICS                    | 2            | true or false
            ENABLE_IPv6                        | true         | not supported by vpc-cni-java
            ENABLE_NETWORK_POLICY              | on           | true or false
            NETWORK_POLICY_ENFORCING_MODE      | lenient      | standard or strict
            """)
    void rejectsAnInvalidValueNamingVariableValueAndAcceptedRange(String key, String value, String accepted) {
        assertThatThrownBy(() -> parse(key, value))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(key + "='" + value + "' is invalid: expected ")
                .hasMessageContaining(accepted);
    }

    @Test
    void reportsAllProblemsAtOnce() {
        assertThatThrownBy(() -> parse(Map.of("WARM_ENI_TARGET", "x", "AWS_VPC_ENI_MTU", "100", "DISABLE_METRICS", "maybe")))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.problems())
                        .hasSize(3)
                        .anySatisfy(p -> assertThat(p).startsWith("WARM_ENI_TARGET='x'"))
                        .anySatisfy(p -> assertThat(p).startsWith("AWS_VPC_ENI_MTU='100'"))
                        .anySatisfy(p -> assertThat(p).startsWith("DISABLE_METRICS='maybe'")));
    }

    @Test
    void prefixDelegationWithoutAnyTargetIsRefusedAsAwsNodeDoes() { // E11 at the door
        assertThatThrownBy(() -> parse("ENABLE_PREFIX_DELEGATION", "true"))
                .hasMessageContaining("ENABLE_PREFIX_DELEGATION=true needs WARM_PREFIX_TARGET");
        assertThat(parse(Map.of("ENABLE_PREFIX_DELEGATION", "true", "WARM_PREFIX_TARGET", "1")).pool().prefixDelegation())
                .isTrue();
        assertThat(parse(Map.of("ENABLE_PREFIX_DELEGATION", "true", "MINIMUM_IP_TARGET", "20")).pool().warmPrefixTarget())
                .isZero();
    }

    @Test
    void networkPolicyIsOffAndStandardUnlessSet() {
        assertThat(parse(Map.of()).networkPolicy()).isEqualTo(new NetworkPolicySettings(false,
                io.vpccni.policy.agent.model.EnforcingMode.STANDARD, io.vpccni.policy.agent.EndpointSource.NODE_LABEL));
        assertThat(parse(Map.of("ENABLE_NETWORK_POLICY", "true", "NETWORK_POLICY_ENFORCING_MODE", "strict",
                "MY_NODE_NAME", "n1")).networkPolicy()).isEqualTo(new NetworkPolicySettings(true,
                io.vpccni.policy.agent.model.EnforcingMode.STRICT, io.vpccni.policy.agent.EndpointSource.NODE_LABEL));
    }

    @Test
    void connmarkAcceptsGoIntegerSyntaxes() {
        assertThat(parse("AWS_VPC_K8S_CNI_CONNMARK", "0x40").hostNetwork().connmark()).isEqualTo(64);
        assertThat(parse("AWS_VPC_K8S_CNI_CONNMARK", "0200").hostNetwork().connmark()).isEqualTo(128);
    }

    @Test
    void podMtuMayDifferFromEniMtu() {
        IpamdConfig config = parse(Map.of("AWS_VPC_ENI_MTU", "9001", "POD_MTU", "1500"));

        assertThat(config.eni().eniMtu()).isEqualTo(9001);
        assertThat(config.hostNetwork().podMtu()).isEqualTo(1500);
    }
}
