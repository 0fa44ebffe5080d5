package io.vpccni.ipamd.introspect;

import java.util.List;
import java.util.Optional;

/**
 * The network policy agent as the status command and the metrics show it.
 *
 * @param listed      whether the agent has the complete PolicyEndpoint list (before it, the table is left as the
 *                    previous ipamd left it)
 * @param policies    NetworkPolicies with a PolicyEndpoint that selects a pod of this node
 * @param endpoints   PolicyEndpoints enforced here
 * @param pods        local pods isolated in some direction
 * @param notEnforced PolicyEndpoints skipped, each "namespace/name: problem"
 * @param drops       packets dropped by policy since start, empty when nft's counters could not be read
 */
public record NetworkPolicyStatus(String mode, boolean listed, int policies, int endpoints, int pods,
                                  List<String> notEnforced, Optional<Drops> drops, Optional<String> lastError) {

    public record Drops(long ingressPackets, long egressPackets) {}

    public NetworkPolicyStatus {
        notEnforced = List.copyOf(notEnforced);
    }
}
