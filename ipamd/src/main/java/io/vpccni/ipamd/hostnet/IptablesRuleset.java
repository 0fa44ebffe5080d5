package io.vpccni.ipamd.hostnet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our part of iptables, per table: chains that belong to us entirely, and our rules inside built-in chains, in
 * order. Rule specs are written exactly as {@code iptables-save} prints them (after {@code -A CHAIN }), so a
 * dump can be compared with them line by line.
 */
public record IptablesRuleset(Map<String, TableRules> tables) {
    public IptablesRuleset {
        tables = copy(tables);
    }

    public TableRules table(String name) {
        return tables.getOrDefault(name, TableRules.EMPTY);
    }

    /**
     * @param chains   our own chains and their rules, in creation order
     * @param builtins our rules in built-in chains (PREROUTING, POSTROUTING, ...), in order
     */
    public record TableRules(Map<String, List<String>> chains, Map<String, List<String>> builtins) {
        public static final TableRules EMPTY = new TableRules(Map.of(), Map.of());

        public TableRules {
            chains = copyLists(chains);
            builtins = copyLists(builtins);
        }

        public List<String> builtin(String chain) {
            return builtins.getOrDefault(chain, List.of());
        }
    }

    private static Map<String, TableRules> copy(Map<String, TableRules> m) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    private static Map<String, List<String>> copyLists(Map<String, List<String>> m) {
        LinkedHashMap<String, List<String>> c = new LinkedHashMap<>();
        m.forEach((k, v) -> c.put(k, List.copyOf(v)));
        return java.util.Collections.unmodifiableMap(c);
    }
}
