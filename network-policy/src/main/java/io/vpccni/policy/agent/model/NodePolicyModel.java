package io.vpccni.policy.agent.model;

import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.policy.endpoint.Direction;
import io.vpccni.policy.endpoint.PeerRule;
import io.vpccni.policy.endpoint.PodEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.endpoint.PolicyPort;
import io.vpccni.policy.endpoint.PolicyRef;
import io.vpccni.policy.endpoint.Protocol;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The per-node model: which local pods are isolated in which direction, and whom they may exchange what with, from
 * the PolicyEndpoints that select them, with NetworkPolicy v1's semantics. A pod selected by no PolicyEndpoint is
 * open (STANDARD) or closed both ways (STRICT). A pod is isolated in a direction when a PolicyEndpoint selecting it
 * isolates it so (its podIsolation, the policy's policyTypes), and may then exchange in that direction what any of
 * those PolicyEndpoints allows there: the union over its policies. A policy's rules for a direction it does not
 * isolate count for nothing, as in Kubernetes.
 *
 * <p>A rule's peers are its CIDR minus its excepts, so an excepted address is not allowed by that rule (another rule
 * may still allow it). IPv6 peers are skipped: pods here have IPv4 addresses only, and upstream's controller writes
 * {@code ::/0} beside {@code 0.0.0.0/0} for "everywhere".
 *
 * <p>Pure: a function of its arguments.
 */
public final class NodePolicyModel {

    private NodePolicyModel() {}

    /** One rule compiled: its peers (disjoint) and ports; no ports means every protocol and port. */
    private record Grant(List<AddressRange> peers, List<ProtocolPorts> ports) {}

    private record ProtocolPorts(Protocol protocol, PortRange ports) {}

    /**
     * @param endpoints the PolicyEndpoints the agent holds (those of other nodes select no local pod and are ignored)
     * @param localPods the pods ipamd wired on this node
     * @param nodeIp    this node's address: a PolicyEndpoint's pod with this hostIP is local even when ipamd does
     *                  not know it (it is then checked by address only)
     */
    public static NodeModel build(Collection<PolicyEndpoint> endpoints, Collection<LocalPod> localPods,
                                  Optional<String> nodeIp, EnforcingMode mode) {
        Map<String, LocalPod> local = new HashMap<>();
        localPods.forEach(p -> local.put(p.ip(), p));
        List<Rejection> rejected = new ArrayList<>();
        Map<String, Allowed> ruleSets = new LinkedHashMap<>();
        Map<String, LocalPod> selectedPods = new LinkedHashMap<>();
        Map<String, Map<Direction, List<String>>> byPod = new HashMap<>();
        Set<PolicyRef> policies = new HashSet<>();
        int enforced = 0;
        List<PolicyEndpoint> ordered = new ArrayList<>(endpoints);
        ordered.sort(Comparator.comparing(PolicyEndpoint::namespace).thenComparing(PolicyEndpoint::name));
        for (PolicyEndpoint pe : ordered) {
            List<LocalPod> pods = selectedHere(pe, local, nodeIp);
            if (pods.isEmpty()) {
                continue;
            }
            Map<Direction, Allowed> allowed = new EnumMap<>(Direction.class);
            try {
                for (Direction d : isolation(pe)) {
                    allowed.put(d, normalise(d == Direction.INGRESS ? grants(pe.ingress(), "spec.ingress")
                            : grants(pe.egress(), "spec.egress")));
                }
            } catch (IllegalArgumentException e) {
                rejected.add(new Rejection(pe.namespace(), pe.name(), e.getMessage()));
                continue;
            }
            enforced++;
            policies.add(pe.policyRef());
            Map<Direction, String> ids = new EnumMap<>(Direction.class);
            allowed.forEach((d, a) -> {
                String id = "r" + ruleSets.size();
                ruleSets.put(id, a);
                ids.put(d, id);
            });
            for (LocalPod pod : pods) {
                selectedPods.putIfAbsent(pod.ip(), pod);
                Map<Direction, List<String>> sets = byPod.computeIfAbsent(pod.ip(), ip -> new EnumMap<>(Direction.class));
                ids.forEach((d, id) -> sets.computeIfAbsent(d, x -> new ArrayList<>()).add(id));
            }
        }
        List<PodPolicy> out = new ArrayList<>();
        selectedPods.forEach((ip, pod) -> {
            Map<Direction, List<String>> sets = byPod.get(ip);
            if (!sets.isEmpty()) {
                out.add(new PodPolicy(pod, Optional.ofNullable(sets.get(Direction.INGRESS)),
                        Optional.ofNullable(sets.get(Direction.EGRESS))));
            }
        });
        if (mode == EnforcingMode.STRICT) {
            for (LocalPod pod : localPods) {
                if (!selectedPods.containsKey(pod.ip())) {
                    out.add(PodPolicy.denied(pod));
                }
            }
        }
        out.sort(Comparator.comparingLong(p -> p.pod().address()));
        return new NodeModel(out, ruleSets, policies, enforced, rejected);
    }

    /**
     * The directions a PolicyEndpoint isolates: its podIsolation, which upstream's controller copies from the policy's
     * policyTypes; when a writer left it empty, what the API server would have defaulted policyTypes to (Ingress, and
     * Egress when there are egress rules).
     */
    private static Set<Direction> isolation(PolicyEndpoint pe) {
        if (!pe.podIsolation().isEmpty()) {
            return pe.podIsolation();
        }
        return pe.egress().isEmpty() ? EnumSet.of(Direction.INGRESS) : EnumSet.allOf(Direction.class);
    }

    private static List<LocalPod> selectedHere(PolicyEndpoint pe, Map<String, LocalPod> local,
                                               Optional<String> nodeIp) {
        List<LocalPod> pods = new ArrayList<>();
        for (PodEndpoint ep : pe.podSelectorEndpoints()) {
            LocalPod known = local.get(ep.podIp());
            if (known != null) {
                pods.add(known);
            } else if (nodeIp.isPresent() && nodeIp.get().equals(ep.hostIp()) && ep.podIp() != null && Ipv4Address.isLiteral(ep.podIp())) {
                pods.add(new LocalPod(ep.podIp(), Optional.empty(), ep.namespace(), ep.name()));
            }
        }
        return pods;
    }

    private static List<Grant> grants(List<PeerRule> rules, String field) {
        List<Grant> grants = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            PeerRule rule = rules.get(i);
            String at = field + "[" + i + "]";
            if (!PeerRule.ALLOW.equals(rule.action())) {
                throw new IllegalArgumentException(at + ".action is " + rule.action()
                        + "; only Allow (NetworkPolicy's rules) is enforced");
            }
            if (isIpv6(rule.cidr())) {
                continue;
            }
            AddressRange cidr = parse(rule.cidr(), at + ".cidr");
            List<AddressRange> holes = new ArrayList<>();
            for (String except : rule.except()) {
                if (!isIpv6(except)) {
                    holes.add(parse(except, at + ".except"));
                }
            }
            List<ProtocolPorts> ports = new ArrayList<>();
            for (PolicyPort port : rule.ports()) {
                PortRange range = port.port().isEmpty() ? PortRange.ALL
                        : new PortRange(port.port().getAsInt(), port.last().orElseThrow());
                ports.add(new ProtocolPorts(port.protocol(), range));
            }
            grants.add(new Grant(cidr.minus(holes), ports));
        }
        return grants;
    }

    /** An IPv6 literal or CIDR: the agent enforces IPv4 only, and pods here have no IPv6. */
    private static boolean isIpv6(String text) {
        return text != null && text.contains(":");
    }

    private static AddressRange parse(String cidr, String field) {
        try {
            return AddressRange.cidr(cidr);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage());
        }
    }

    private static Allowed normalise(List<Grant> grants) {
        List<AddressRange> any = new ArrayList<>();
        Map<Protocol, List<PortedRange>> byProtocol = new EnumMap<>(Protocol.class);
        for (Grant g : grants) {
            if (g.ports().isEmpty()) {
                any.addAll(g.peers());
                continue;
            }
            for (ProtocolPorts pp : g.ports()) {
                for (AddressRange peers : g.peers()) {
                    byProtocol.computeIfAbsent(pp.protocol(), p -> new ArrayList<>())
                            .add(new PortedRange(peers, pp.protocol(), pp.ports()));
                }
            }
        }
        List<PortedRange> ported = new ArrayList<>();
        byProtocol.forEach((protocol, items) -> ported.addAll(disjoint(protocol, items)));
        return new Allowed(AddressRange.merge(any), ported);
    }

    /**
     * Rectangles of (peers x ports) made disjoint: the address axis is cut wherever a range starts or ends, each piece
     * gets the union of the port ranges covering it, and neighbouring pieces with the same ports are joined again.
     */
    private static List<PortedRange> disjoint(Protocol protocol, List<PortedRange> items) {
        TreeMap<Long, List<PortedRange>> starts = new TreeMap<>();
        TreeMap<Long, List<PortedRange>> ends = new TreeMap<>();
        for (PortedRange item : items) {
            starts.computeIfAbsent(item.peers().first(), k -> new ArrayList<>()).add(item);
            ends.computeIfAbsent(item.peers().last() + 1, k -> new ArrayList<>()).add(item);
        }
        java.util.TreeSet<Long> points = new java.util.TreeSet<>(starts.keySet());
        points.addAll(ends.keySet());
        TreeMap<PortRange, Integer> active = new TreeMap<>();
        List<PortedRange> out = new ArrayList<>();
        long segmentStart = -1;
        List<PortRange> segmentPorts = List.of();
        for (Long point : points) {
            for (PortedRange ended : ends.getOrDefault(point, List.of())) {
                active.merge(ended.ports(), -1, (a, b) -> a + b == 0 ? null : a + b);
            }
            for (PortedRange started : starts.getOrDefault(point, List.of())) {
                active.merge(started.ports(), 1, Integer::sum);
            }
            List<PortRange> ports = PortRange.merge(new ArrayList<>(active.keySet()));
            if (ports.equals(segmentPorts)) {
                continue; // the same ports on: the current piece goes on
            }
            emit(out, protocol, segmentStart, point - 1, segmentPorts);
            segmentStart = point;
            segmentPorts = ports;
        }
        // every range ends at a point, so the last piece has been emitted with no ports left
        return out;
    }

    private static void emit(List<PortedRange> out, Protocol protocol, long first, long last, List<PortRange> ports) {
        if (first < 0 || ports.isEmpty()) {
            return;
        }
        for (PortRange p : ports) {
            out.add(new PortedRange(new AddressRange(first, last), protocol, p));
        }
    }
}
