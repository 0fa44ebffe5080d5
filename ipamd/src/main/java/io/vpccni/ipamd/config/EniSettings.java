package io.vpccni.ipamd.config;

import static io.vpccni.ipamd.config.ConfigKeys.*;

import java.util.Map;
import java.util.Optional;

/**
 * How ENIs are chosen, created and tagged, and how the EC2 calls for them share the account's budget.
 *
 * @param ec2BudgetLeases VPC_CNI_EC2_BUDGET_LEASES: the pool's mutating EC2 calls wait for a share of the account's
 *                        budget held through Kubernetes Leases ({@code eni.guard.ShardedBudget})
 */
public record EniSettings(boolean customNetworking, String eniConfigLabel, String eniConfigAnnotation,
                          Optional<String> clusterName, Map<String, String> additionalTags,
                          boolean disableLeakedEniCleanup, boolean subnetDiscovery, boolean manageUntaggedEnis,
                          int eniMtu, boolean ec2BudgetLeases) {

    public static final int MIN_MTU = 576;
    public static final int MAX_MTU = 9001;
    /** Tags under this prefix are ipamd's own; a user tag there could make us mistake an ENI's owner. */
    static final String RESERVED_TAG_PREFIX = "k8s.amazonaws.com";

    public EniSettings {
        additionalTags = Map.copyOf(additionalTags);
    }

    static EniSettings read(ConfigReader r) {
        return new EniSettings(
                r.get(AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG, ConfigParser.bool()),
                r.get(ENI_CONFIG_LABEL_DEF, ConfigParser.string()),
                r.get(ENI_CONFIG_ANNOTATION_DEF, ConfigParser.string()),
                r.optional(CLUSTER_NAME, ConfigParser.string()),
                r.get(ADDITIONAL_ENI_TAGS, tags()),
                r.get(DISABLE_LEAKED_ENI_CLEANUP, ConfigParser.bool()),
                r.get(ENABLE_SUBNET_DISCOVERY, ConfigParser.bool()),
                r.get(MANAGE_UNTAGGED_ENI, ConfigParser.bool()),
                r.get(AWS_VPC_ENI_MTU, ConfigParser.inRange(MIN_MTU, MAX_MTU)),
                r.get(VPC_CNI_EC2_BUDGET_LEASES, ConfigParser.bool()));
    }

    /** EC2 tag limits (key 1..128, value 0..256 characters) plus our reserved prefix. */
    private static ConfigParser<Map<String, String>> tags() {
        return ConfigParser.jsonStringMap().check(
                map -> map.entrySet().stream().allMatch(e -> !e.getKey().startsWith(RESERVED_TAG_PREFIX)
                        && !e.getKey().isEmpty() && e.getKey().length() <= 128 && e.getValue().length() <= 256),
                "a JSON object of string values, e.g. {\"team\":\"a\"}, keys of 1 to 128 characters not starting with "
                        + RESERVED_TAG_PREFIX + ", values of at most 256 characters");
    }
}
