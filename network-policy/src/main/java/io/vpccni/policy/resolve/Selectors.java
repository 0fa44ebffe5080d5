package io.vpccni.policy.resolve;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes label selectors: matchLabels AND every matchExpression (In, NotIn, Exists, DoesNotExist), as
 * apimachinery's LabelSelectorAsSelector reads them. An empty selector matches everything. A selector the API server
 * would refuse (an unknown operator, In without values) is an error, not a selector that matches nothing.
 */
final class Selectors {

    private Selectors() {}

    static void validate(LabelSelector selector, String field) {
        if (selector == null || selector.getMatchExpressions() == null) {
            return;
        }
        for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
            List<String> values = r.getValues() == null ? List.of() : r.getValues();
            String op = r.getOperator();
            if (r.getKey() == null || r.getKey().isBlank()) {
                throw new UnresolvablePolicyException(field + ".matchExpressions[] has no key");
            }
            switch (op == null ? "" : op) {
                case "In", "NotIn" -> {
                    if (values.isEmpty()) {
                        throw new UnresolvablePolicyException(field + ".matchExpressions[" + r.getKey() + "]: operator "
                                + op + " needs values");
                    }
                }
                case "Exists", "DoesNotExist" -> {
                    if (!values.isEmpty()) {
                        throw new UnresolvablePolicyException(field + ".matchExpressions[" + r.getKey()
                                + "]: operator " + op + " takes no values");
                    }
                }
                default -> throw new UnresolvablePolicyException(field + ".matchExpressions[" + r.getKey()
                        + "]: operator " + op + " is not In, NotIn, Exists or DoesNotExist");
            }
        }
    }

    /** Whether {@code labels} satisfy the (validated) selector; null matches everything, as an empty one does. */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        Map<String, String> have = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (var e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(have.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String value = have.get(r.getKey());
                boolean ok = switch (r.getOperator()) {
                    case "In" -> value != null && r.getValues().contains(value);
                    case "NotIn" -> value == null || !r.getValues().contains(value);
                    case "Exists" -> have.containsKey(r.getKey());
                    case "DoesNotExist" -> !have.containsKey(r.getKey());
                    default -> throw new IllegalStateException("unvalidated operator " + r.getOperator());
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The selector as the API's JSON has it (PolicyEndpoint's spec.podSelector). */
    static Map<String, Object> asMap(LabelSelector selector) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (selector == null) {
            return out;
        }
        if (selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty()) {
            out.put("matchLabels", new LinkedHashMap<>(selector.getMatchLabels()));
        }
        if (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty()) {
            List<Map<String, Object>> expressions = new ArrayList<>();
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("key", r.getKey());
                m.put("operator", r.getOperator());
                if (r.getValues() != null && !r.getValues().isEmpty()) {
                    m.put("values", List.copyOf(r.getValues()));
                }
                expressions.add(m);
            }
            out.put("matchExpressions", expressions);
        }
        return out;
    }
}
