package io.vpccni.ipamd.config;

import static io.vpccni.ipamd.config.ConfigKeys.ENABLE_NETWORK_POLICY;
import static io.vpccni.ipamd.config.ConfigKeys.MY_NODE_NAME;
import static io.vpccni.ipamd.config.ConfigKeys.NETWORK_POLICY_ENDPOINT_SOURCE;
import static io.vpccni.ipamd.config.ConfigKeys.NETWORK_POLICY_ENFORCING_MODE;

import io.vpccni.policy.agent.EndpointSource;
import io.vpccni.policy.agent.model.EnforcingMode;

/** The network policy agent's switch, enforcing mode and where its PolicyEndpoints come from. */
public record NetworkPolicySettings(boolean enabled, EnforcingMode mode, EndpointSource source) {

    static NetworkPolicySettings read(ConfigReader r, boolean nodeNameSet) {
        NetworkPolicySettings settings = new NetworkPolicySettings(
                r.get(ENABLE_NETWORK_POLICY, ConfigParser.bool()),
                r.get(NETWORK_POLICY_ENFORCING_MODE, new ConfigParser<>("standard or strict (any case)",
                        EnforcingMode::parse)),
                r.get(NETWORK_POLICY_ENDPOINT_SOURCE, new ConfigParser<>("node-label or all (any case)",
                        EndpointSource::parse)));
        if (settings.enabled() && !nodeNameSet) {
            // The agent finds its PolicyEndpoints by the node's name.
            r.problem(ENABLE_NETWORK_POLICY.name() + "=true needs " + MY_NODE_NAME.name()
                    + " (the downward API's spec.nodeName)");
        }
        return settings;
    }

    /** A value for the variable's own syntax (ConfigView). */
    public String modeText() {
        return mode.name().toLowerCase(java.util.Locale.ROOT);
    }

    public String sourceText() {
        return source == EndpointSource.ALL ? "all" : "node-label";
    }
}
