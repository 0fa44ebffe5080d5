package io.vpccni.policy.resolve;

import io.vpccni.policy.endpoint.Direction;
import io.vpccni.policy.endpoint.PeerRule;
import io.vpccni.policy.endpoint.PodEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.endpoint.PolicyPort;
import java.util.ArrayList;
import java.util.List;

/**
 * What a set of PolicyEndpoints allows, read as the node agent enforces them: a pod listed by no object isolated in a
 * direction is open in that direction; a pod listed by some is allowed what any of their rules allows (a rule: its
 * CIDR minus its excepts, on its ports or on every port when it lists none). A connection needs the sender's egress
 * and the receiver's ingress. The matrix excludes a pod's connections to itself, which never leave the pod.
 */
final class Reachability {

    private Reachability() {}

    /** The probes where {@code endpoints} disagree with {@code expected}, as readable lines; empty when none. */
    static List<String> mismatches(List<PolicyEndpoint> endpoints, MatrixCluster cluster, Reach expected) {
        List<String> out = new ArrayList<>();
        for (String from : MatrixCluster.PROBED) {
            for (String to : MatrixCluster.PROBED) {
                if (from.equals(to)) {
                    continue;
                }
                for (Reach.Probe.Port port : Reach.PORTS) {
                    Reach.Probe probe = new Reach.Probe(from, to, port);
                    boolean want = expected.allowed(probe);
                    boolean got = allowed(endpoints, cluster.ip(from), cluster.ip(to), port);
                    if (want != got) {
                        out.add(from + " -> " + to + " " + port + ": expected " + (want ? "allowed" : "denied")
                                + ", the PolicyEndpoints " + (got ? "allow" : "deny") + " it");
                    }
                }
            }
        }
        return out;
    }

    static boolean allowed(List<PolicyEndpoint> endpoints, String fromIp, String toIp, Reach.Probe.Port port) {
        return side(endpoints, fromIp, Direction.EGRESS, toIp, port)
                && side(endpoints, toIp, Direction.INGRESS, fromIp, port);
    }

    private static boolean side(List<PolicyEndpoint> endpoints, String podIp, Direction direction, String peerIp,
                                Reach.Probe.Port port) {
        boolean isolated = false;
        for (PolicyEndpoint pe : endpoints) {
            if (!pe.podIsolation().contains(direction)
                    || pe.podSelectorEndpoints().stream().map(PodEndpoint::podIp).noneMatch(podIp::equals)) {
                continue;
            }
            isolated = true;
            for (PeerRule rule : direction == Direction.INGRESS ? pe.ingress() : pe.egress()) {
                if (matches(rule, peerIp, port)) {
                    return true;
                }
            }
        }
        return !isolated;
    }

    private static boolean matches(PeerRule rule, String ip, Reach.Probe.Port port) {
        Cidr host = Cidr.host(ip);
        if (!Cidr.parse(rule.cidr()).contains(host)
                || rule.except().stream().anyMatch(e -> Cidr.parse(e).contains(host))) {
            return false;
        }
        if (rule.ports().isEmpty()) {
            return true;
        }
        for (PolicyPort p : rule.ports()) {
            if (p.protocol() == port.protocol() && (p.port().isEmpty()
                    || p.port().getAsInt() <= port.number() && port.number() <= p.last().orElseThrow())) {
                return true;
            }
        }
        return false;
    }
}
