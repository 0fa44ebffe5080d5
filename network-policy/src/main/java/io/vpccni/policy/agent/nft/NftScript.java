package io.vpccni.policy.agent.nft;

import io.vpccni.policy.agent.model.AddressRange;
import io.vpccni.policy.agent.model.Allowed;
import io.vpccni.policy.agent.model.LocalPod;
import io.vpccni.policy.agent.model.NodeModel;
import io.vpccni.policy.agent.model.PodPolicy;
import io.vpccni.policy.agent.model.PortedRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The node model as an {@code nft -f} script for the table {@code inet vpccni_policy}, applied as one transaction.
 *
 * <p>The forward hook sees pod traffic (pod to pod on the node, and pod to and from the VPC). What the node itself
 * sends (kubelet's probes) uses the output hook and is never filtered, as upstream's agent allows it; what a pod sends
 * to the node (the input hook) passes the pod's egress check only. Replies of an allowed connection pass by conntrack first. Then three verdict maps send a packet to the
 * chain of its pods: {@code out_if} by the interface it arrives on (the host veth of a pod ipamd wired, which the pod
 * cannot forge), {@code out_ip} by source address (a pod a PolicyEndpoint places here that ipamd does not know), and
 * {@code in_pods} by destination address. An egress chain returns when one of the pod's rule sets allows the packet,
 * so that the destination's ingress chain still applies to a packet between two local pods; an ingress chain accepts.
 * What matches no rule set is counted ({@value #INGRESS_DROPS}, {@value #EGRESS_DROPS}) and dropped.
 *
 * <p>Each PolicyEndpoint's rule set for a direction is two interval sets, {@code rN_any} (peers allowed everything)
 * and {@code rN_ports} (peer . protocol . port range), shared by every pod it selects; pods with the same rule sets
 * share one chain. Three plain sets ({@code new_in}, {@code new_out_if}, {@code new_out_ip}) hold STRICT's new pods
 * while a restarted agent waits for its list; a replace leaves them empty. {@link #replace} deletes and recreates the whole table in one transaction: nothing is ever
 * missing, and it is quicker than refilling the sets of a table in place (BENCHMARKS.md). It resets the counters,
 * which the agent reads first. {@link #denyPods} adds STRICT's new pods, deny-all, to the table as it is. Pure.
 */
public final class NftScript {

    public static final String TABLE = "vpccni_policy";
    public static final String FAMILY_TABLE = "inet " + TABLE;
    public static final String INGRESS_DROPS = "ingress_drops";
    public static final String EGRESS_DROPS = "egress_drops";

    private static final String IN_PODS = "in_pods";
    private static final String OUT_IF = "out_if";
    private static final String OUT_IP = "out_ip";
    private static final String NEW_IN = "new_in";
    private static final String NEW_OUT_IF = "new_out_if";
    private static final String NEW_OUT_IP = "new_out_ip";
    private static final String DENY_IN = "deny_in";
    private static final String DENY_OUT = "deny_out";
    private static final String FORWARD_HOOK = "type filter hook forward priority filter; policy accept;";
    private static final List<String> FORWARD = List.of(
            "ct state established,related accept",
            "iifname @" + NEW_OUT_IF + " jump " + DENY_OUT,
            "ip saddr @" + NEW_OUT_IP + " jump " + DENY_OUT,
            "ip daddr @" + NEW_IN + " jump " + DENY_IN,
            "iifname vmap @" + OUT_IF,
            "ip saddr vmap @" + OUT_IP,
            "ip daddr vmap @" + IN_PODS);

    /** STRICT's new pods before the list: plain sets, so adding a pod whose address an old entry has cannot clash. */
    private static final String[][] NEW_SETS = {{NEW_IN, "ipv4_addr"}, {NEW_OUT_IF, "ifname"},
            {NEW_OUT_IP, "ipv4_addr"}};

    /** Pods' traffic to the node itself (input hook): their egress check only; the node is not a pod. */
    private static final String INPUT_HOOK = "type filter hook input priority filter; policy accept;";
    private static final List<String> INPUT_RULES = List.of(FORWARD.get(0), FORWARD.get(1), FORWARD.get(2),
            "iifname vmap @" + OUT_IF, "ip saddr vmap @" + OUT_IP);

    private NftScript() {}

    /** The whole table for {@code model}, replacing whatever table of that name exists, in one transaction. */
    public static String replace(NodeModel model) {
        StringBuilder out = new StringBuilder(8192);
        out.append("add table ").append(FAMILY_TABLE).append("\ndelete table ").append(FAMILY_TABLE).append('\n');
        out.append("table ").append(FAMILY_TABLE).append(" {\n");
        out.append("\tcounter ").append(INGRESS_DROPS).append(" { }\n");
        out.append("\tcounter ").append(EGRESS_DROPS).append(" { }\n");
        model.ruleSets().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                ruleSetSets(out, e.getKey(), e.getValue()));

        Map<List<String>, String> inChains = new LinkedHashMap<>();
        Map<List<String>, String> outChains = new LinkedHashMap<>();
        List<String> inPods = new ArrayList<>();
        List<String> outIf = new ArrayList<>();
        List<String> outIp = new ArrayList<>();
        for (PodPolicy p : model.pods()) {
            p.ingress().ifPresent(sets -> inPods.add(p.pod().ip() + " : jump " + chain(inChains, "in_", DENY_IN,
                    sets)));
            p.egress().ifPresent(sets -> {
                String verdict = "jump " + chain(outChains, "out_", DENY_OUT, sets);
                Optional<String> veth = p.pod().hostVeth();
                if (veth.isPresent()) {
                    outIf.add(quote(veth.get()) + " : " + verdict);
                } else {
                    outIp.add(p.pod().ip() + " : " + verdict);
                }
            });
        }
        for (String[] set : NEW_SETS) {
            out.append("\tset ").append(set[0]).append(" {\n\t\ttype ").append(set[1]).append("\n\t}\n");
        }
        map(out, IN_PODS, "ipv4_addr", inPods);
        map(out, OUT_IF, "ifname", outIf);
        map(out, OUT_IP, "ipv4_addr", outIp);

        out.append("\tchain forward {\n\t\t").append(FORWARD_HOOK).append('\n');
        FORWARD.forEach(rule -> out.append("\t\t").append(rule).append('\n'));
        out.append("\t}\n");
        out.append("\tchain input {\n\t\t").append(INPUT_HOOK).append('\n');
        INPUT_RULES.forEach(rule -> out.append("\t\t").append(rule).append('\n'));
        out.append("\t}\n");
        Map<String, Allowed> rules = model.ruleSets();
        inChains.forEach((sets, name) -> podChain(out, name, sets, rules, "ip saddr", "accept", INGRESS_DROPS));
        outChains.forEach((sets, name) -> podChain(out, name, sets, rules, "ip daddr", "return", EGRESS_DROPS));
        podChain(out, DENY_IN, List.of(), rules, "", "", INGRESS_DROPS);
        podChain(out, DENY_OUT, List.of(), rules, "", "", EGRESS_DROPS);
        out.append("}\n");
        return out.toString();
    }

    /**
     * Adds deny-all entries for {@code pods} (STRICT's new pods before the PolicyEndpoints are listed), leaving the rest
     * of the table as it is; creates the table's frame when there is none.
     */
    public static String denyPods(List<LocalPod> pods) {
        StringBuilder out = new StringBuilder(2048);
        String t = " " + FAMILY_TABLE + " ";
        out.append("add table ").append(FAMILY_TABLE).append('\n');
        out.append("add counter").append(t).append(INGRESS_DROPS).append('\n');
        out.append("add counter").append(t).append(EGRESS_DROPS).append('\n');
        for (String[] set : NEW_SETS) {
            out.append("add set").append(t).append(set[0]).append(" { type ").append(set[1]).append("; }\n");
        }
        out.append("add map").append(t).append(IN_PODS).append(" { type ipv4_addr : verdict; }\n");
        out.append("add map").append(t).append(OUT_IF).append(" { type ifname : verdict; }\n");
        out.append("add map").append(t).append(OUT_IP).append(" { type ipv4_addr : verdict; }\n");
        for (String[] deny : new String[][] {{DENY_IN, INGRESS_DROPS}, {DENY_OUT, EGRESS_DROPS}}) {
            out.append("add chain").append(t).append(deny[0]).append('\n');
            out.append("flush chain").append(t).append(deny[0]).append('\n');
            out.append("add rule").append(t).append(deny[0]).append(" counter name ").append(deny[1])
                    .append(" drop\n");
        }
        out.append("add chain").append(t).append("forward { ").append(FORWARD_HOOK).append(" }\n");
        out.append("flush chain").append(t).append("forward\n");
        FORWARD.forEach(rule -> out.append("add rule").append(t).append("forward ").append(rule).append('\n'));
        out.append("add chain").append(t).append("input { ").append(INPUT_HOOK).append(" }\n");
        out.append("flush chain").append(t).append("input\n");
        INPUT_RULES.forEach(rule -> out.append("add rule").append(t).append("input ").append(rule).append('\n'));
        for (LocalPod pod : pods) {
            out.append("add element").append(t).append(NEW_IN).append(" { ").append(pod.ip()).append(" }\n");
            out.append("add element").append(t).append(pod.hostVeth().isPresent() ? NEW_OUT_IF : NEW_OUT_IP)
                    .append(" { ").append(pod.hostVeth().map(NftScript::quote).orElse(pod.ip())).append(" }\n");
        }
        return out.toString();
    }

    private static String chain(Map<List<String>, String> chains, String prefix, String deny, List<String> sets) {
        if (sets.isEmpty()) {
            return deny;
        }
        return chains.computeIfAbsent(sets, s -> prefix + chains.size());
    }

    private static void ruleSetSets(StringBuilder out, String id, Allowed allowed) {
        if (!allowed.anyTraffic().isEmpty()) {
            set(out, id + "_any", "ipv4_addr", allowed.anyTraffic().stream().map(AddressRange::toString).toList());
        }
        if (!allowed.ported().isEmpty()) {
            set(out, id + "_ports", "ipv4_addr . inet_proto . inet_service", allowed.ported().stream()
                    .map(NftScript::element).toList());
        }
    }

    private static String element(PortedRange p) {
        return p.peers() + " . " + p.protocol().name().toLowerCase(Locale.ROOT) + " . " + p.ports();
    }

    private static void set(StringBuilder out, String name, String type, List<String> elements) {
        out.append("\tset ").append(name).append(" {\n\t\ttype ").append(type).append("\n\t\tflags interval\n");
        elements(out, elements);
        out.append("\t}\n");
    }

    private static void map(StringBuilder out, String name, String type, List<String> elements) {
        out.append("\tmap ").append(name).append(" {\n\t\ttype ").append(type).append(" : verdict\n");
        elements(out, elements);
        out.append("\t}\n");
    }

    private static void elements(StringBuilder out, List<String> elements) {
        if (elements.isEmpty()) {
            return;
        }
        out.append("\t\telements = { ");
        for (int i = 0; i < elements.size(); i++) {
            out.append(i == 0 ? "" : i % 8 == 0 ? ",\n\t\t\t" : ", ").append(elements.get(i));
        }
        out.append(" }\n");
    }

    /** A pod's chain: one rule per rule set and kind it has, then the counted drop. */
    private static void podChain(StringBuilder out, String name, List<String> sets, Map<String, Allowed> rules,
                                 String peer, String verdict, String drops) {
        out.append("\tchain ").append(name).append(" {\n");
        for (String id : sets) {
            Allowed allowed = rules.get(id);
            if (!allowed.anyTraffic().isEmpty()) {
                out.append("\t\t").append(peer).append(" @").append(id).append("_any ").append(verdict).append('\n');
            }
            if (!allowed.ported().isEmpty()) {
                out.append("\t\t").append(peer).append(" . meta l4proto . th dport @").append(id).append("_ports ")
                        .append(verdict).append('\n');
            }
        }
        out.append("\t\tcounter name ").append(drops).append(" drop\n\t}\n");
    }

    /** Interface names are ipamd's (letters and hex digits); quoting keeps nft from reading one as a keyword. */
    private static String quote(String ifname) {
        if (!ifname.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException("host veth name " + ifname + " is not an interface name");
        }
        return '"' + ifname + '"';
    }
}
