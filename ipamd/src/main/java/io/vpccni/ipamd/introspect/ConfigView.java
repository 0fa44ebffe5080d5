package io.vpccni.ipamd.introspect;

import static io.vpccni.ipamd.config.ConfigKeys.*;
import static java.util.Map.entry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpccni.ipamd.config.ConfigKey;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * /v1/config: every key of {@link io.vpccni.ipamd.config.ConfigKeys#ALL} with its effective value, written in the
 * variable's own syntax (so it can be pasted back into the DaemonSet), its default and its description.
 * The values come from the parsed {@link IpamdConfig}, not the raw environment: what is shown is what is in force.
 */
public record ConfigView(List<Setting> settings) {

    public record Setting(String name, String value, String defaultValue, String description) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One entry per key; {@code everyKeyHasAValue} in the tests fails when a key is added without one here. */
    static final Map<ConfigKey, Function<IpamdConfig, Object>> VALUES = Map.ofEntries(
            entry(WARM_ENI_TARGET, c -> c.pool().warmEniTarget()),
            entry(WARM_IP_TARGET, c -> c.pool().warmIpTarget()),
            entry(MINIMUM_IP_TARGET, c -> c.pool().minimumIpTarget()),
            entry(WARM_PREFIX_TARGET, c -> c.pool().warmPrefixTarget()),
            entry(ENABLE_PREFIX_DELEGATION, c -> c.pool().prefixDelegation()),
            entry(MAX_ENI, c -> c.pool().maxEni()),
            entry(IP_COOLDOWN_PERIOD, c -> c.pool().ipCooldown().toSeconds()),
            entry(AWS_MANAGE_ENIS_NON_SCHEDULABLE, c -> c.pool().manageEnisNonSchedulable()),
            entry(DISABLE_NETWORK_RESOURCE_PROVISIONING, c -> c.pool().disableNetworkResourceProvisioning()),
            entry(VPC_CNI_ADD_WAIT, c -> c.pool().addWait()),
            entry(WARM_POOL_FOR_BOUND_PODS, c -> c.pool().forBoundPods()),
            entry(AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG, c -> c.eni().customNetworking()),
            entry(ENI_CONFIG_LABEL_DEF, c -> c.eni().eniConfigLabel()),
            entry(ENI_CONFIG_ANNOTATION_DEF, c -> c.eni().eniConfigAnnotation()),
            entry(CLUSTER_NAME, c -> c.eni().clusterName()),
            entry(ADDITIONAL_ENI_TAGS, c -> json(c.eni().additionalTags())),
            entry(DISABLE_LEAKED_ENI_CLEANUP, c -> c.eni().disableLeakedEniCleanup()),
            entry(ENABLE_SUBNET_DISCOVERY, c -> c.eni().subnetDiscovery()),
            entry(MANAGE_UNTAGGED_ENI, c -> c.eni().manageUntaggedEnis()),
            entry(AWS_VPC_ENI_MTU, c -> c.eni().eniMtu()),
            entry(VPC_CNI_EC2_BUDGET_LEASES, c -> c.eni().ec2BudgetLeases()),
            entry(AWS_VPC_K8S_CNI_EXTERNALSNAT, c -> c.hostNetwork().externalSnat()),
            entry(AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS, c -> c.hostNetwork().excludeSnatCidrs()),
            entry(AWS_VPC_K8S_CNI_RANDOMIZESNAT, c -> c.hostNetwork().randomizeSnat().name().toLowerCase(java.util.Locale.ROOT)),
            entry(AWS_EXTERNAL_SERVICE_CIDRS, c -> c.hostNetwork().externalServiceCidrs()),
            entry(AWS_VPC_CNI_NODE_PORT_SUPPORT, c -> c.hostNetwork().nodePortSupport()),
            entry(POD_MTU, c -> c.hostNetwork().podMtu()),
            entry(AWS_VPC_K8S_CNI_VETHPREFIX, c -> c.hostNetwork().vethPrefix()),
            entry(AWS_VPC_K8S_CNI_CONNMARK, c -> "0x" + Long.toHexString(c.hostNetwork().connmark())),
            entry(AWS_VPC_K8S_CNI_LOGLEVEL, c -> c.daemon().logLevel()),
            entry(AWS_VPC_K8S_CNI_LOG_FILE, c -> c.daemon().logFile()),
            entry(AWS_VPC_K8S_PLUGIN_LOG_FILE, c -> c.daemon().pluginLogFile()),
            entry(AWS_VPC_K8S_PLUGIN_LOG_LEVEL, c -> c.daemon().pluginLogLevel()),
            entry(DISABLE_INTROSPECTION, c -> c.daemon().disableIntrospection()),
            entry(INTROSPECTION_BIND_ADDRESS, c -> c.daemon().introspectionBindAddress()),
            entry(DISABLE_METRICS, c -> c.daemon().disableMetrics()),
            entry(METRICS_BIND_ADDRESS, c -> c.daemon().metricsBindAddress()),
            entry(AWS_VPC_K8S_CNI_BACKING_STORE, c -> c.daemon().backingStore()),
            entry(ANNOTATE_POD_IP, c -> c.daemon().annotatePodIp()),
            entry(MY_NODE_NAME, c -> c.daemon().nodeName()),
            entry(VPC_CNI_SOCKET, c -> c.daemon().socket()),
            entry(VPC_CNI_PLUGIN_SERVER, c -> c.daemon().pluginServer()),
            entry(ENABLE_NETWORK_POLICY, c -> c.networkPolicy().enabled()),
            entry(NETWORK_POLICY_ENFORCING_MODE, c -> c.networkPolicy().modeText()),
            entry(NETWORK_POLICY_ENDPOINT_SOURCE, c -> c.networkPolicy().sourceText()),
            // Refused at start when true, so in force they are always false.
            entry(ENABLE_IPv6, c -> false),
            entry(ENABLE_POD_ENI, c -> false));

    public static ConfigView of(IpamdConfig config) {
        List<Setting> settings = IpamdConfig.KEYS.stream()
                .map(key -> new Setting(key.name(), valueOf(key, config), key.defaultValue(), key.description()))
                .toList();
        return new ConfigView(settings);
    }

    static String valueOf(ConfigKey key, IpamdConfig config) {
        Function<IpamdConfig, Object> getter = VALUES.get(key);
        return getter == null ? "" : text(getter.apply(config));
    }

    private static String text(Object value) {
        return switch (value) {
            case Optional<?> optional -> optional.map(ConfigView::text).orElse("");
            case Duration d when d.toMillisPart() != 0 -> d.toMillis() + "ms";
            case Duration d -> d.toSeconds() + "s";
            case List<?> list -> list.stream().map(ConfigView::text).collect(Collectors.joining(","));
            case Ipv4Cidr cidr -> cidr.toString();
            default -> String.valueOf(value);
        };
    }

    private static String json(Map<String, String> tags) {
        try {
            return JSON.writeValueAsString(new java.util.TreeMap<>(tags));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }
}
