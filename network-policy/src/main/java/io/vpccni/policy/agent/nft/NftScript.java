package io.vpccni.policy.agent.nft;

import io.vpccni.policy.agent.model.AddressRange;
import io.vpccni.policy.agent.model.Allowed;
import io.vpccni.policy.agent.model.LocalPod;
import io.vpccni.policy.agent.model.NodeModel;
import io.vpccni.policy.agent.model.PodPolicy;
import io.vpccni.policy.agent.model.PortedRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The node model as an {@code nft -f} script for the table {@code inet vpccni_policy}, applied as one transaction.
 *
 * <p>The table's shape is fixed; only set elements change with policies. The forward hook sees pod traffic (pod to
 * pod on the node, and pod to and from the VPC); what the host itself sends or receives (kubelet's probes) uses the
 * output and input hooks and is never filtered, as upstream's agent allows it. Replies of an allowed connection
 * pass by conntrack. A packet from an egress-isolated pod must match one of its egress elements (then it returns to
 * the forward chain), and a packet to an ingress-isolated pod one of that pod's ingress elements; a packet between
 * two local pods passes both checks. What matches nothing is counted (named counters {@value #INGRESS_DROPS} and
 * {@value #EGRESS_DROPS}) and dropped.
 *
 * <p>Keys: ingress by the pod's address (where routing sends the packet), egress by the pod's host veth when ipamd
 * wired the pod (the interface a packet arrives on cannot be forged by the pod), else by source address. Elements
 * are {@code pod . peer range} (every protocol) or {@code pod . peer range . protocol . port range}.
 *
 * <p>{@link #update} declares the shape with {@code add} (a no-op for what exists), rewrites the chains and refills
 * the sets: an identical table keeps its counters, and in one transaction nothing is ever missing. {@link #replace}
 * deletes the table first (a table of another shape, left by another version); {@link #denyPods} adds pods'
 * deny-everything elements without touching the rest. Pure.
 */
public final class NftScript {

    public static final String TABLE = "vpccni_policy";
    public static final String FAMILY_TABLE = "inet " + TABLE;
    public static final String INGRESS_DROPS = "ingress_drops";
    public static final String EGRESS_DROPS = "egress_drops";

    private record SetDef(String name, String type) {}

    private static final String ADDR = "ipv4_addr";
    private static final String PORTS = " . inet_proto . inet_service";
    private static final SetDef IN_ISO = new SetDef("in_iso", ADDR);
    private static final SetDef IN_ANY = new SetDef("in_any", ADDR + " . " + ADDR);
    private static final SetDef IN_PORTS = new SetDef("in_ports", ADDR + " . " + ADDR + PORTS);
    private static final SetDef OUT_ISO_IF = new SetDef("out_iso_if", "ifname");
    private static final SetDef OUT_ANY_IF = new SetDef("out_any_if", "ifname . " + ADDR);
    private static final SetDef OUT_PORTS_IF = new SetDef("out_ports_if", "ifname . " + ADDR + PORTS);
    private static final SetDef OUT_ISO_IP = new SetDef("out_iso_ip", ADDR);
    private static final SetDef OUT_ANY_IP = new SetDef("out_any_ip", ADDR + " . " + ADDR);
    private static final SetDef OUT_PORTS_IP = new SetDef("out_ports_ip", ADDR + " . " + ADDR + PORTS);
    private static final List<SetDef> SETS = List.of(IN_ISO, IN_ANY, IN_PORTS, OUT_ISO_IF, OUT_ANY_IF, OUT_PORTS_IF,
            OUT_ISO_IP, OUT_ANY_IP, OUT_PORTS_IP);

    private static final List<String> CHAINS = List.of("forward", "ingress", "egress_if", "egress_ip");

    private NftScript() {}

    /** The whole table for {@code model}, keeping the table (and its counters) when it has this shape already. */
    public static String update(NodeModel model) {
        StringBuilder out = new StringBuilder(4096 + model.pods().size() * 256);
        declare(out);
        rules(out);
        for (SetDef set : SETS) {
            out.append("flush set ").append(FAMILY_TABLE).append(' ').append(set.name()).append('\n');
        }
        elements(out, model.pods());
        return out.toString();
    }

    /** The whole table for {@code model}, deleting whatever table of that name exists first (same transaction). */
    public static String replace(NodeModel model) {
        return "add table " + FAMILY_TABLE + "\ndelete table " + FAMILY_TABLE + "\n" + update(model);
    }

    /** Adds deny-everything elements for {@code pods} (STRICT's new pods), creating the table if it is missing. */
    public static String denyPods(List<LocalPod> pods) {
        StringBuilder out = new StringBuilder(2048);
        declare(out);
        rules(out);
        elements(out, pods.stream().map(p -> new PodPolicy(p, Optional.of(Allowed.NOTHING),
                Optional.of(Allowed.NOTHING))).toList());
        return out.toString();
    }

    private static void declare(StringBuilder out) {
        out.append("add table ").append(FAMILY_TABLE).append('\n');
        out.append("add counter ").append(FAMILY_TABLE).append(' ').append(INGRESS_DROPS).append('\n');
        out.append("add counter ").append(FAMILY_TABLE).append(' ').append(EGRESS_DROPS).append('\n');
        for (SetDef set : SETS) {
            out.append("add set ").append(FAMILY_TABLE).append(' ').append(set.name()).append(" { type ")
                    .append(set.type()).append(set.type().contains(".") ? "; flags interval; }\n" : "; }\n");
        }
        out.append("add chain ").append(FAMILY_TABLE)
                .append(" forward { type filter hook forward priority filter; policy accept; }\n");
        for (String chain : CHAINS.subList(1, CHAINS.size())) {
            out.append("add chain ").append(FAMILY_TABLE).append(' ').append(chain).append('\n');
        }
    }

    private static void rules(StringBuilder out) {
        for (String chain : CHAINS) {
            out.append("flush chain ").append(FAMILY_TABLE).append(' ').append(chain).append('\n');
        }
        rule(out, "forward", "ct state established,related accept");
        rule(out, "forward", "iifname @" + OUT_ISO_IF.name() + " jump egress_if");
        rule(out, "forward", "ip saddr @" + OUT_ISO_IP.name() + " jump egress_ip");
        rule(out, "forward", "ip daddr @" + IN_ISO.name() + " jump ingress");
        rule(out, "egress_if", "iifname . ip daddr @" + OUT_ANY_IF.name() + " return");
        rule(out, "egress_if", "iifname . ip daddr . meta l4proto . th dport @" + OUT_PORTS_IF.name() + " return");
        rule(out, "egress_if", "counter name " + EGRESS_DROPS + " drop");
        rule(out, "egress_ip", "ip saddr . ip daddr @" + OUT_ANY_IP.name() + " return");
        rule(out, "egress_ip", "ip saddr . ip daddr . meta l4proto . th dport @" + OUT_PORTS_IP.name() + " return");
        rule(out, "egress_ip", "counter name " + EGRESS_DROPS + " drop");
        rule(out, "ingress", "ip daddr . ip saddr @" + IN_ANY.name() + " accept");
        rule(out, "ingress", "ip daddr . ip saddr . meta l4proto . th dport @" + IN_PORTS.name() + " accept");
        rule(out, "ingress", "counter name " + INGRESS_DROPS + " drop");
    }

    private static void rule(StringBuilder out, String chain, String rule) {
        out.append("add rule ").append(FAMILY_TABLE).append(' ').append(chain).append(' ').append(rule).append('\n');
    }

    private static void elements(StringBuilder out, List<PodPolicy> pods) {
        Elements e = new Elements();
        for (PodPolicy p : pods) {
            String address = p.pod().ip();
            p.ingress().ifPresent(allowed -> {
                e.add(IN_ISO, address);
                keyed(e, IN_ANY, IN_PORTS, address, allowed);
            });
            p.egress().ifPresent(allowed -> {
                Optional<String> veth = p.pod().hostVeth();
                if (veth.isPresent()) {
                    String key = quote(veth.get());
                    e.add(OUT_ISO_IF, key);
                    keyed(e, OUT_ANY_IF, OUT_PORTS_IF, key, allowed);
                } else {
                    e.add(OUT_ISO_IP, address);
                    keyed(e, OUT_ANY_IP, OUT_PORTS_IP, address, allowed);
                }
            });
        }
        e.write(out);
    }

    private static void keyed(Elements e, SetDef any, SetDef ported, String key, Allowed allowed) {
        for (AddressRange peers : allowed.anyTraffic()) {
            e.add(any, key + " . " + peers);
        }
        for (PortedRange p : allowed.ported()) {
            e.add(ported, key + " . " + p.peers() + " . " + p.protocol().name().toLowerCase(Locale.ROOT) + " . "
                    + p.ports());
        }
    }

    /** Interface names are ipamd's (letters and hex digits); quoting keeps nft from reading one as a keyword. */
    private static String quote(String ifname) {
        if (!ifname.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException("host veth name " + ifname + " is not an interface name");
        }
        return '"' + ifname + '"';
    }

    /** Elements per set, written in chunks: one statement per set and a thousand elements keeps nft's parser quick. */
    private static final class Elements {
        private static final int CHUNK = 1000;
        private final java.util.Map<SetDef, List<String>> bySet = new java.util.LinkedHashMap<>();

        void add(SetDef set, String element) {
            bySet.computeIfAbsent(set, s -> new ArrayList<>()).add(element);
        }

        void write(StringBuilder out) {
            bySet.forEach((set, elements) -> {
                for (int from = 0; from < elements.size(); from += CHUNK) {
                    List<String> chunk = elements.subList(from, Math.min(elements.size(), from + CHUNK));
                    out.append("add element ").append(FAMILY_TABLE).append(' ').append(set.name()).append(" { ")
                            .append(String.join(", ", chunk)).append(" }\n");
                }
            });
        }
    }
}
