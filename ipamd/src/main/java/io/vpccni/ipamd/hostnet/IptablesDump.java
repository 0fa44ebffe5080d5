package io.vpccni.ipamd.hostnet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code iptables-save} output, parsed: per table the declared chains and the {@code -A} lines in order. Counters
 * and comments of the dump itself are dropped; rule text is kept verbatim, since it is also valid input for
 * {@code iptables-restore -D}.
 */
public record IptablesDump(Map<String, Table> tables) {
    public IptablesDump {
        tables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    }

    public static IptablesDump empty() {
        return new IptablesDump(Map.of());
    }

    public Table table(String name) {
        return tables.getOrDefault(name, new Table(name, List.of(), List.of()));
    }

    /** @param spec the rule after {@code -A CHAIN } */
    public record RuleLine(String chain, String spec) {}

    public record Table(String name, List<String> chains, List<RuleLine> rules) {
        public Table {
            chains = List.copyOf(chains);
            rules = List.copyOf(rules);
        }

        public List<String> rulesOf(String chain) {
            return rules.stream().filter(r -> r.chain().equals(chain)).map(RuleLine::spec).toList();
        }
    }

    /** Parses the text of {@code iptables-save}; unknown lines are an error, so a format change is noticed. */
    public static IptablesDump parse(String text) {
        Map<String, Table> tables = new LinkedHashMap<>();
        String table = null;
        List<String> chains = new ArrayList<>();
        List<RuleLine> rules = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("*")) {
                table = line.substring(1);
                chains = new ArrayList<>();
                rules = new ArrayList<>();
            } else if (table == null) {
                throw new IllegalArgumentException("iptables-save line outside a table: " + line);
            } else if (line.startsWith(":")) {
                int space = line.indexOf(' ');
                chains.add(space < 0 ? line.substring(1) : line.substring(1, space));
            } else if (line.startsWith("-A ")) {
                String rest = line.substring(3);
                int space = rest.indexOf(' ');
                rules.add(space < 0 ? new RuleLine(rest, "") : new RuleLine(rest.substring(0, space), rest.substring(space + 1)));
            } else if (line.equals("COMMIT")) {
                tables.put(table, new Table(table, chains, rules));
                table = null;
            } else {
                throw new IllegalArgumentException("unexpected iptables-save line: " + line);
            }
        }
        return new IptablesDump(tables);
    }
}
