package io.vpccni.ipamd.config;

import static io.vpccni.ipamd.config.ConfigKeys.ENABLE_IPv6;
import static io.vpccni.ipamd.config.ConfigKeys.ENABLE_POD_ENI;
import static io.vpccni.ipamd.config.ConfigKeys.MY_NODE_NAME;
import static io.vpccni.ipamd.config.ConfigKeys.VPC_CNI_EC2_BUDGET_LEASES;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * ipamd's configuration, built once at start from the environment ({@code System.getenv()} in production).
 *
 * <p>Names, defaults and meanings are aws-vpc-cni v1.23's, with one deliberate difference: a value that cannot
 * be used (not a number, a negative count, an MTU out of range, a malformed CIDR, bad JSON...) stops the
 * daemon with a message naming the variable, the value and what is accepted, instead of being replaced by the
 * default. All problems are reported at once.
 */
public record IpamdConfig(WarmPoolSettings pool, EniSettings eni, HostNetworkSettings hostNetwork,
                          DaemonSettings daemon, NetworkPolicySettings networkPolicy) {

    /** Every key read, for checking the README and the DaemonSet against. */
    public static final List<ConfigKey> KEYS = ConfigKeys.ALL;

    public IpamdConfig {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(eni, "eni");
        Objects.requireNonNull(hostNetwork, "hostNetwork");
        Objects.requireNonNull(daemon, "daemon");
        Objects.requireNonNull(networkPolicy, "networkPolicy");
    }

    /** @throws InvalidConfigurationException listing every invalid variable */
    public static IpamdConfig fromEnvironment(Map<String, String> env) {
        ConfigReader reader = new ConfigReader(env);
        WarmPoolSettings pool = WarmPoolSettings.read(reader);
        EniSettings eni = EniSettings.read(reader);
        HostNetworkSettings hostNetwork = HostNetworkSettings.read(reader, eni.eniMtu());
        DaemonSettings daemon = DaemonSettings.read(reader);
        NetworkPolicySettings networkPolicy = NetworkPolicySettings.read(reader, daemon.nodeName().isPresent());
        if (eni.ec2BudgetLeases() && daemon.nodeName().isEmpty()) {
            // The Leases' holder is the node: without its name the nodes could not tell their shards apart.
            reader.problem(VPC_CNI_EC2_BUDGET_LEASES.name() + "=true needs " + MY_NODE_NAME.name()
                    + " (the downward API's spec.nodeName)");
        }
        refuseUnsupported(reader);
        reader.throwIfAny();
        return new IpamdConfig(pool, eni, hostNetwork, daemon, networkPolicy);
    }

    private static void refuseUnsupported(ConfigReader reader) {
        for (ConfigKey key : List.of(ENABLE_IPv6, ENABLE_POD_ENI)) {
            if (reader.get(key, ConfigParser.bool())) {
                reader.reject(key, reader.raw(key).orElse(""), "false (" + key.description() + ")");
            }
        }
    }
}
