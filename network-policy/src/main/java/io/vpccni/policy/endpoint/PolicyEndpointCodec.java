package io.vpccni.policy.endpoint;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * PolicyEndpoint to and from the JSON-shaped maps of a generic Kubernetes resource (metadata, spec), field names as
 * upstream's Go types spell them (hostIP, podIP, endPort, ...). Reading validates as the API server's schema may not
 * (an object written by an older or foreign controller): a bad field fails with a {@link PolicyEndpointFormatException}
 * that names it, so the agent can report that one object and enforce the rest.
 */
public final class PolicyEndpointCodec {

    private PolicyEndpointCodec() {}

    /** Reads an object from its namespace, name and {@code spec} map. */
    public static PolicyEndpoint fromSpec(String namespace, String name, Map<String, Object> spec) {
        if (spec == null) {
            throw new PolicyEndpointFormatException("spec is missing");
        }
        Map<String, Object> ref = map(spec.get("policyRef"), "spec.policyRef");
        PolicyRef policyRef = new PolicyRef(string(ref.get("namespace"), "spec.policyRef.namespace"),
                string(ref.get("name"), "spec.policyRef.name"));
        List<PodEndpoint> pods = new ArrayList<>();
        for (Object o : list(spec.get("podSelectorEndpoints"), "spec.podSelectorEndpoints")) {
            Map<String, Object> p = map(o, "spec.podSelectorEndpoints[]");
            pods.add(new PodEndpoint(optionalString(p.get("hostIP"), "hostIP"),
                    optionalString(p.get("podIP"), "podIP"), optionalString(p.get("name"), "name"),
                    optionalString(p.get("namespace"), "namespace")));
        }
        Set<Direction> isolation = EnumSet.noneOf(Direction.class);
        for (Object o : list(spec.get("podIsolation"), "spec.podIsolation")) {
            isolation.add(Direction.parse(o, "spec.podIsolation[]"));
        }
        Object selector = spec.get("podSelector");
        return new PolicyEndpoint(namespace, name, policyRef,
                selector == null ? Map.of() : map(selector, "spec.podSelector"), pods, isolation,
                rules(spec.get("ingress"), "spec.ingress"), rules(spec.get("egress"), "spec.egress"),
                Boolean.TRUE.equals(spec.get("isGlobal")),
                spec.get("priority") instanceof Number n ? n.intValue() : 0);
    }

    /** The {@code spec} map to write; absent optional fields are left out, as Go's omitempty does. */
    public static Map<String, Object> toSpec(PolicyEndpoint pe) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("isGlobal", pe.isGlobal());
        spec.put("priority", pe.priority());
        if (!pe.podSelector().isEmpty()) {
            spec.put("podSelector", pe.podSelector());
        }
        spec.put("policyRef", Map.of("name", pe.policyRef().name(), "namespace", pe.policyRef().namespace()));
        if (!pe.podIsolation().isEmpty()) {
            spec.put("podIsolation", pe.podIsolation().stream().sorted().map(Direction::wire).toList());
        }
        if (!pe.podSelectorEndpoints().isEmpty()) {
            spec.put("podSelectorEndpoints", pe.podSelectorEndpoints().stream().map(p -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("hostIP", p.hostIp() == null ? "" : p.hostIp());
                m.put("podIP", p.podIp());
                m.put("name", p.name() == null ? "" : p.name());
                m.put("namespace", p.namespace() == null ? "" : p.namespace());
                return m;
            }).toList());
        }
        if (!pe.ingress().isEmpty()) {
            spec.put("ingress", pe.ingress().stream().map(PolicyEndpointCodec::ruleMap).toList());
        }
        if (!pe.egress().isEmpty()) {
            spec.put("egress", pe.egress().stream().map(PolicyEndpointCodec::ruleMap).toList());
        }
        return spec;
    }

    private static Map<String, Object> ruleMap(PeerRule rule) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("action", rule.action());
        m.put("cidr", rule.cidr());
        if (!rule.except().isEmpty()) {
            m.put("except", rule.except());
        }
        if (!rule.ports().isEmpty()) {
            m.put("ports", rule.ports().stream().map(p -> {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("protocol", p.protocol().name());
                p.port().ifPresent(v -> pm.put("port", v));
                p.endPort().ifPresent(v -> pm.put("endPort", v));
                return pm;
            }).toList());
        }
        return m;
    }

    private static List<PeerRule> rules(Object value, String field) {
        List<PeerRule> rules = new ArrayList<>();
        int i = 0;
        for (Object o : list(value, field)) {
            String at = field + "[" + i++ + "]";
            Map<String, Object> r = map(o, at);
            List<String> except = new ArrayList<>();
            for (Object e : list(r.get("except"), at + ".except")) {
                except.add(string(e, at + ".except[]"));
            }
            List<PolicyPort> ports = new ArrayList<>();
            for (Object p : list(r.get("ports"), at + ".ports")) {
                Map<String, Object> pm = map(p, at + ".ports[]");
                try {
                    ports.add(new PolicyPort(Protocol.parse(pm.get("protocol"), at + ".ports[].protocol"),
                            port(pm.get("port"), at + ".ports[].port"), port(pm.get("endPort"), at + ".ports[].endPort")));
                } catch (PolicyEndpointFormatException e) {
                    throw new PolicyEndpointFormatException(at + ".ports[]: " + e.getMessage());
                }
            }
            try {
                rules.add(new PeerRule(optionalString(r.get("cidr"), at + ".cidr"), except, ports,
                        optionalString(r.get("action"), at + ".action")));
            } catch (PolicyEndpointFormatException e) {
                throw new PolicyEndpointFormatException(at + ": " + e.getMessage());
            }
        }
        return rules;
    }

    private static OptionalInt port(Object value, String field) {
        if (value == null) {
            return OptionalInt.empty();
        }
        if (value instanceof Number n && n.doubleValue() == n.intValue()) {
            return OptionalInt.of(n.intValue());
        }
        throw new PolicyEndpointFormatException(field + " is " + value + "; expected a port number");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String field) {
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new PolicyEndpointFormatException(field + (value == null ? " is missing" : " is not an object"));
    }

    private static List<?> list(Object value, String field) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> l) {
            return l;
        }
        throw new PolicyEndpointFormatException(field + " is not a list");
    }

    private static String string(Object value, String field) {
        if (value instanceof String s && !s.isBlank()) {
            return s;
        }
        throw new PolicyEndpointFormatException(field + (value == null ? " is missing" : " is not a string"));
    }

    private static String optionalString(Object value, String field) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw new PolicyEndpointFormatException(field + " is not a string");
    }
}
