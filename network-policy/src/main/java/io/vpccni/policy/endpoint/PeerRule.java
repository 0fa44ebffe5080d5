package io.vpccni.policy.endpoint;

import java.util.List;

/**
 * One resolved peer of a rule (upstream's EndpointInfo): a CIDR (a pod's address is a /32 or /128), the CIDRs
 * excepted from it, and the ports it is allowed on (none: every port and protocol). {@code action} is upstream's
 * field for admin policies; NetworkPolicy's rules are all "Allow", which is what an absent field means.
 */
public record PeerRule(String cidr, List<String> except, List<PolicyPort> ports, String action) {

    public static final String ALLOW = "Allow";

    public PeerRule {
        if (cidr == null || cidr.isBlank()) {
            throw new PolicyEndpointFormatException("cidr is required");
        }
        except = List.copyOf(except);
        ports = List.copyOf(ports);
        action = action == null || action.isBlank() ? ALLOW : action;
    }

    public PeerRule(String cidr, List<String> except, List<PolicyPort> ports) {
        this(cidr, except, ports, ALLOW);
    }
}
