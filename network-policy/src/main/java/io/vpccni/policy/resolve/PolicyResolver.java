package io.vpccni.policy.resolve;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import io.vpccni.policy.endpoint.Direction;
import io.vpccni.policy.endpoint.PeerRule;
import io.vpccni.policy.endpoint.PodEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpointLabels;
import io.vpccni.policy.endpoint.PolicyPort;
import io.vpccni.policy.endpoint.PolicyRef;
import io.vpccni.policy.endpoint.Protocol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A NetworkPolicy (networking.k8s.io/v1) resolved against a snapshot of pods and namespaces into PolicyEndpoints, with
 * the semantics Kubernetes defines: isolation per direction by policyTypes (Ingress always when absent, Egress when
 * egress rules exist); rules and the peers of a rule OR'ed; podSelector and namespaceSelector AND'ed in one peer, a
 * podSelector alone meaning the policy's namespace and a namespaceSelector alone every pod of the matching
 * namespaces; a rule without peers allows every address, a rule without ports every port.
 *
 * <p>One object per node with selected pods, listing that node's selected pods. Named ports are resolved per pod: in
 * egress rules against each peer pod's container ports (a rule's peer becomes that pod's /32 with its own number); in
 * ingress rules against the selected pod's own container ports, so two selected pods on one node that give a name
 * different numbers cannot share one list of ingress rules: <b>the node's pods are split into one object per distinct
 * list of resolved ingress rules</b> (docs/network-policy.md, "Named ports"). A port name a pod does not have allows
 * nothing for that pod; a rule whose ports all fail to resolve is left out rather than written without ports, which
 * would allow every port. With named ports in an egress rule towards every address or an ipBlock, the name is
 * resolved against the cluster's pods (inside the block), the only addresses a name can mean.
 *
 * <p>Pure: no I/O, no clock; the same inputs give the same objects in the same order.
 */
public final class PolicyResolver {

    /** Object names are DNS subdomains: at most 253 characters. */
    static final int MAX_NAME = 253;
    static final int HASH_CHARACTERS = 10;
    static final List<String> EVERY_ADDRESS = List.of("0.0.0.0/0", "::/0");

    private PolicyResolver() {}

    public static Resolution resolve(NetworkPolicy policy, ClusterState cluster) {
        String namespace = policy.getMetadata().getNamespace();
        PolicyRef ref = new PolicyRef(namespace, policy.getMetadata().getName());
        try {
            return new Resolution.Resolved(ref, endpoints(ref, policy.getSpec(), cluster));
        } catch (UnresolvablePolicyException e) {
            return new Resolution.Unresolvable(ref, e.getMessage());
        }
    }

    private static List<ResolvedEndpoint> endpoints(PolicyRef ref, NetworkPolicySpec spec, ClusterState cluster) {
        if (spec == null) {
            throw new UnresolvablePolicyException("spec is missing");
        }
        Set<Direction> isolation = policyTypes(spec);
        Selectors.validate(spec.getPodSelector(), "spec.podSelector");
        List<Rule> ingress = rules(spec.getIngress(), "spec.ingress", ".from", NetworkPolicyIngressRule::getFrom,
                NetworkPolicyIngressRule::getPorts, ref.namespace(), cluster);
        List<Rule> egress = rules(spec.getEgress(), "spec.egress", ".to", NetworkPolicyEgressRule::getTo,
                NetworkPolicyEgressRule::getPorts, ref.namespace(), cluster);

        Map<String, List<Pod>> selectedByNode = new TreeMap<>();
        for (Pod pod : cluster.podsIn(ref.namespace())) {
            if (Selectors.matches(spec.getPodSelector(), pod.getMetadata().getLabels())) {
                selectedByNode.computeIfAbsent(pod.getSpec().getNodeName(), k -> new ArrayList<>()).add(pod);
            }
        }
        if (selectedByNode.isEmpty()) {
            return List.of();
        }
        List<PeerRule> egressOut = isolation.contains(Direction.EGRESS) ? egressRules(egress, cluster) : List.of();
        Map<String, Object> selector = Selectors.asMap(spec.getPodSelector());

        List<ResolvedEndpoint> out = new ArrayList<>();
        selectedByNode.forEach((node, pods) -> {
            // Pods of the node grouped by their own resolution of the ingress rules (named ports differ per pod).
            Map<List<PeerRule>, List<Pod>> groups = new LinkedHashMap<>();
            for (Pod pod : pods) {
                List<PeerRule> rules = isolation.contains(Direction.INGRESS) ? ingressRules(ingress, pod) : List.of();
                groups.computeIfAbsent(rules, k -> new ArrayList<>()).add(pod);
            }
            groups.forEach((rules, members) -> {
                String key = groups.size() == 1 ? node : node + "\n" + canonical(rules);
                List<PodEndpoint> endpoints = new ArrayList<>();
                for (Pod pod : members) {
                    String hostIp = pod.getStatus().getHostIP() == null ? "" : pod.getStatus().getHostIP();
                    for (String ip : ClusterState.ips(pod)) {
                        endpoints.add(new PodEndpoint(hostIp, ip, pod.getMetadata().getName(),
                                pod.getMetadata().getNamespace()));
                    }
                }
                out.add(new ResolvedEndpoint(node, new PolicyEndpoint(ref.namespace(), name(ref.name(), key), ref,
                        selector, endpoints, isolation, rules, egressOut)));
            });
        });
        out.sort(Comparator.comparing(e -> e.endpoint().name()));
        return out;
    }

    /** {@code policy-<10 hex digits of the key's SHA-256>}, the policy's name shortened to fit 253 characters. */
    static String name(String policyName, String key) {
        String hash = PolicyEndpointLabels.hash(key, HASH_CHARACTERS);
        String base = policyName.length() > MAX_NAME - HASH_CHARACTERS - 1
                ? policyName.substring(0, MAX_NAME - HASH_CHARACTERS - 1).replaceAll("[^a-z0-9]+$", "")
                : policyName;
        return base + "-" + hash;
    }

    private static Set<Direction> policyTypes(NetworkPolicySpec spec) {
        Set<Direction> out = EnumSet.noneOf(Direction.class);
        if (spec.getPolicyTypes() == null || spec.getPolicyTypes().isEmpty()) {
            out.add(Direction.INGRESS);
            if (spec.getEgress() != null && !spec.getEgress().isEmpty()) {
                out.add(Direction.EGRESS);
            }
            return out;
        }
        for (String type : spec.getPolicyTypes()) {
            switch (type == null ? "" : type) {
                case "Ingress" -> out.add(Direction.INGRESS);
                case "Egress" -> out.add(Direction.EGRESS);
                default -> throw new UnresolvablePolicyException("spec.policyTypes[] is " + type
                        + "; expected Ingress or Egress");
            }
        }
        return out;
    }

    // ---- peers and ports as the policy states them

    private sealed interface Peer {}

    /** A rule without peers: every address. */
    private record AnyAddress() implements Peer {}

    private record Pods(List<Pod> pods) implements Peer {}

    private record Block(Cidr cidr, List<Cidr> except) implements Peer {}

    /** A port of the policy: a number (with endPort), a name to resolve per pod, or none (every port). */
    private record PortSpec(Protocol protocol, Integer port, Integer endPort, String name) {
        boolean named() {
            return name != null;
        }
    }

    private record Rule(List<Peer> peers, List<PortSpec> ports) {}

    private static <R> List<Rule> rules(List<R> rules, String field, String peersField,
                                        Function<R, List<NetworkPolicyPeer>> peers,
                                        Function<R, List<NetworkPolicyPort>> ports, String namespace,
                                        ClusterState cluster) {
        List<Rule> out = new ArrayList<>();
        for (int i = 0; rules != null && i < rules.size(); i++) {
            String at = field + "[" + i + "]";
            out.add(new Rule(peers(peers.apply(rules.get(i)), at + peersField, namespace, cluster),
                    ports(ports.apply(rules.get(i)), at + ".ports")));
        }
        return out;
    }

    private static List<Peer> peers(List<NetworkPolicyPeer> peers, String field, String namespace,
                                    ClusterState cluster) {
        if (peers == null || peers.isEmpty()) {
            return List.of(new AnyAddress());
        }
        List<Peer> out = new ArrayList<>();
        for (int i = 0; i < peers.size(); i++) {
            NetworkPolicyPeer peer = peers.get(i);
            String at = field + "[" + i + "]";
            IPBlock block = peer.getIpBlock();
            if (block != null) {
                if (peer.getPodSelector() != null || peer.getNamespaceSelector() != null) {
                    throw new UnresolvablePolicyException(at + ": ipBlock cannot be combined with a selector");
                }
                out.add(block(block, at + ".ipBlock"));
                continue;
            }
            if (peer.getPodSelector() == null && peer.getNamespaceSelector() == null) {
                throw new UnresolvablePolicyException(at + " has none of podSelector, namespaceSelector, ipBlock");
            }
            Selectors.validate(peer.getPodSelector(), at + ".podSelector");
            Selectors.validate(peer.getNamespaceSelector(), at + ".namespaceSelector");
            List<String> namespaces = new ArrayList<>();
            if (peer.getNamespaceSelector() == null) {
                namespaces.add(namespace);
            } else {
                cluster.namespaces().forEach((name, labels) -> {
                    if (Selectors.matches(peer.getNamespaceSelector(), labels)) {
                        namespaces.add(name);
                    }
                });
                namespaces.sort(null);
            }
            List<Pod> pods = new ArrayList<>();
            for (String ns : namespaces) {
                for (Pod pod : cluster.podsIn(ns)) {
                    if (Selectors.matches(peer.getPodSelector(), pod.getMetadata().getLabels())) {
                        pods.add(pod);
                    }
                }
            }
            out.add(new Pods(pods));
        }
        return out;
    }

    private static Block block(IPBlock block, String at) {
        if (block.getCidr() == null || block.getCidr().isBlank()) {
            throw new UnresolvablePolicyException(at + ".cidr is missing");
        }
        Cidr cidr = parse(block.getCidr(), at + ".cidr");
        List<Cidr> except = new ArrayList<>();
        for (String e : block.getExcept() == null ? List.<String>of() : block.getExcept()) {
            Cidr c = parse(e, at + ".except[]");
            if (!cidr.contains(c) || c.bits() == cidr.bits()) {
                throw new UnresolvablePolicyException(at + ".except[] " + e + " is not strictly inside " + block.getCidr());
            }
            except.add(c);
        }
        return new Block(cidr, except);
    }

    private static Cidr parse(String text, String field) {
        try {
            return Cidr.parse(text);
        } catch (UnresolvablePolicyException e) {
            throw new UnresolvablePolicyException(field + ": " + e.getMessage());
        }
    }

    private static List<PortSpec> ports(List<NetworkPolicyPort> ports, String field) {
        List<PortSpec> out = new ArrayList<>();
        for (NetworkPolicyPort p : ports == null ? List.<NetworkPolicyPort>of() : ports) {
            Protocol protocol = switch (p.getProtocol() == null ? "TCP" : p.getProtocol()) {
                case "TCP" -> Protocol.TCP;
                case "UDP" -> Protocol.UDP;
                case "SCTP" -> Protocol.SCTP;
                default -> throw new UnresolvablePolicyException(field + "[].protocol is " + p.getProtocol()
                        + "; expected TCP, UDP or SCTP");
            };
            Integer endPort = p.getEndPort();
            if (p.getPort() == null) {
                if (endPort != null) {
                    throw new UnresolvablePolicyException(field + "[]: endPort " + endPort + " without port");
                }
                out.add(new PortSpec(protocol, null, null, null));
            } else if (p.getPort().getIntVal() != null) {
                int port = p.getPort().getIntVal();
                if (port < 1 || port > 65535) {
                    throw new UnresolvablePolicyException(field + "[].port " + port + " is outside 1-65535");
                }
                if (endPort != null && (endPort < port || endPort > 65535)) {
                    throw new UnresolvablePolicyException(field + "[]: endPort " + endPort + " is not in " + port
                            + "-65535");
                }
                out.add(new PortSpec(protocol, port, endPort, null));
            } else {
                String name = p.getPort().getStrVal();
                if (name == null || name.isBlank()) {
                    throw new UnresolvablePolicyException(field + "[].port is empty");
                }
                if (endPort != null) {
                    throw new UnresolvablePolicyException(field + "[]: endPort " + endPort + " with named port "
                            + name);
                }
                out.add(new PortSpec(protocol, null, null, name));
            }
        }
        return out;
    }

    // ---- resolution to addresses and port numbers

    private static PolicyPort numeric(PortSpec p) {
        if (p.port() == null) {
            return PolicyPort.all(p.protocol());
        }
        return p.endPort() == null ? PolicyPort.of(p.protocol(), p.port())
                : PolicyPort.range(p.protocol(), p.port(), p.endPort());
    }

    /** The ports of {@code specs} on {@code pod}: numbers as they are, names as the pod's containers number them. */
    private static List<PolicyPort> resolveOn(List<PortSpec> specs, Pod pod) {
        Set<PolicyPort> out = new LinkedHashSet<>();
        for (PortSpec p : specs) {
            if (!p.named()) {
                out.add(numeric(p));
                continue;
            }
            for (Container c : pod.getSpec().getContainers() == null ? List.<Container>of()
                    : pod.getSpec().getContainers()) {
                for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                    String protocol = cp.getProtocol() == null ? "TCP" : cp.getProtocol();
                    if (p.name().equals(cp.getName()) && protocol.equals(p.protocol().name())
                            && cp.getContainerPort() != null) {
                        out.add(PolicyPort.of(p.protocol(), cp.getContainerPort()));
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    private static List<PeerRule> ingressRules(List<Rule> rules, Pod selected) {
        Set<PeerRule> out = new LinkedHashSet<>();
        for (Rule rule : rules) {
            List<PolicyPort> ports = resolveOn(rule.ports(), selected);
            if (!rule.ports().isEmpty() && ports.isEmpty()) {
                continue; // only names this pod does not have: the rule allows nothing to it
            }
            for (Peer peer : rule.peers()) {
                switch (peer) {
                    case AnyAddress a -> EVERY_ADDRESS.forEach(c -> out.add(new PeerRule(c, List.of(), ports)));
                    case Pods p -> p.pods().forEach(pod -> hostRules(pod, ports, out));
                    case Block b -> out.add(new PeerRule(b.cidr().toString(),
                            b.except().stream().map(Cidr::toString).toList(), ports));
                }
            }
        }
        return sorted(out);
    }

    private static List<PeerRule> egressRules(List<Rule> rules, ClusterState cluster) {
        Set<PeerRule> out = new LinkedHashSet<>();
        for (Rule rule : rules) {
            boolean anyPorts = !rule.ports().isEmpty();
            List<PolicyPort> numbers = rule.ports().stream().filter(p -> !p.named()).map(PolicyResolver::numeric)
                    .distinct().toList();
            List<PortSpec> names = rule.ports().stream().filter(PortSpec::named).toList();
            boolean cidrRule = !anyPorts || !numbers.isEmpty();
            for (Peer peer : rule.peers()) {
                switch (peer) {
                    case Pods p -> {
                        for (Pod pod : p.pods()) {
                            List<PolicyPort> ports = resolveOn(rule.ports(), pod);
                            if (!anyPorts || !ports.isEmpty()) {
                                hostRules(pod, ports, out);
                            }
                        }
                    }
                    case AnyAddress a -> {
                        if (cidrRule) {
                            EVERY_ADDRESS.forEach(c -> out.add(new PeerRule(c, List.of(), numbers)));
                        }
                        namedOnPods(names, cluster.pods(), null, out);
                    }
                    case Block b -> {
                        if (cidrRule) {
                            out.add(new PeerRule(b.cidr().toString(),
                                    b.except().stream().map(Cidr::toString).toList(), numbers));
                        }
                        namedOnPods(names, cluster.pods(), b, out);
                    }
                }
            }
        }
        return sorted(out);
    }

    /** Named egress ports towards every address or a block: each pod (in the block) with its own numbers. */
    private static void namedOnPods(List<PortSpec> names, List<Pod> pods, Block block, Set<PeerRule> out) {
        if (names.isEmpty()) {
            return;
        }
        for (Pod pod : pods) {
            List<PolicyPort> ports = resolveOn(names, pod);
            if (ports.isEmpty()) {
                continue;
            }
            for (String ip : ClusterState.ips(pod)) {
                Cidr host = Cidr.host(ip);
                if (block == null || block.cidr().contains(host) && block.except().stream().noneMatch(e -> e.contains(host))) {
                    out.add(new PeerRule(host.toString(), List.of(), ports));
                }
            }
        }
    }

    private static void hostRules(Pod pod, List<PolicyPort> ports, Set<PeerRule> out) {
        for (String ip : ClusterState.ips(pod)) {
            out.add(new PeerRule(Cidr.host(ip).toString(), List.of(), ports));
        }
    }

    private static List<PeerRule> sorted(Set<PeerRule> rules) {
        return rules.stream().sorted(Comparator.comparing(PolicyResolver::canonical)).toList();
    }

    private static String canonical(List<PeerRule> rules) {
        StringBuilder s = new StringBuilder();
        rules.forEach(r -> s.append(canonical(r)).append(';'));
        return s.toString();
    }

    private static String canonical(PeerRule rule) {
        StringBuilder s = new StringBuilder(rule.cidr()).append(' ').append(rule.except()).append(' ');
        for (PolicyPort p : rule.ports()) {
            s.append(p.protocol()).append(':').append(p.port().isPresent() ? p.port().getAsInt() : "*");
            p.endPort().ifPresent(e -> s.append('-').append(e));
            s.append(',');
        }
        return s.append(' ').append(rule.action()).toString();
    }
}
