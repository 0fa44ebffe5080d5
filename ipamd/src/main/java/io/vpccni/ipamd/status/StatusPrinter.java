package io.vpccni.ipamd.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Renders /v1/pool and /v1/enis for a person at the node: a summary, a table of ENIs, then the warnings. */
final class StatusPrinter {

    private static final List<String> HEADER = List.of("ENI", "DEV", "SUBNET", "PRIMARY IP", "USED/TOTAL", "COOLING",
            "PREFIXES");

    private StatusPrinter() {}

    static void print(JsonNode pool, JsonNode enis, List<Warning> warnings, PrintStream out) {
        JsonNode readiness = pool.path("readiness");
        out.printf("ipamd on %s (%s): %s, %s%n", pool.path("instanceId").asText("?"),
                pool.path("instanceType").asText("?"), readiness.path("ready").asBoolean() ? "READY" : "NOT READY",
                readiness.path("reason").asText());
        JsonNode a = pool.path("addresses");
        out.printf("pool:    %d total, %d assigned, %d cooling, %d available (%s mode)%n", a.path("total").asInt(),
                a.path("assigned").asInt(), a.path("cooling").asInt(), a.path("available").asInt(),
                pool.path("mode").asText());
        JsonNode p = pool.path("prefixes");
        if (p.path("total").asInt() > 0) {
            out.printf("         %d prefixes, %d unused%n", p.path("total").asInt(), p.path("unused").asInt());
        }
        fallbackLine(pool.path("prefixFallback")).ifPresent(out::println);
        JsonNode e = pool.path("enis");
        out.printf("ENIs:    %d of %d used (instance limit %d, %d unmanaged), up to %d addresses%n",
                e.path("inPool").asInt(), e.path("max").asInt(), e.path("instanceMax").asInt(),
                e.path("unmanaged").asInt(), e.path("maxAddresses").asInt());
        JsonNode free = pool.path("subnetFreeAddresses");
        out.printf("subnet:  %s%n", free.isNumber() ? free.asInt() + " free addresses" : "free addresses not known yet");
        out.printf("target:  %d spare addresses%n", pool.path("targets").path("warmTargetAddresses").asInt());
        JsonNode requests = pool.path("requests");
        JsonNode served = requests.path("pluginServerInvocations");
        out.printf("plugin:  %d adds, %d dels, %d adds found no address; %s%n", requests.path("adds").asLong(),
                requests.path("dels").asLong(), requests.path("noAvailableAddress").asLong(),
                served.isNumber() ? served.asLong() + " CNI invocations run in ipamd" : "plugin server off");
        out.println(policyLine(pool.path("networkPolicy")));
        JsonNode ec2 = pool.path("ec2");
        out.printf("EC2:     %d requests, %d throttled, %d denied since start%n", ec2.path("totalCalls").asLong(),
                ec2.path("throttled").asLong(), ec2.path("permissionDenied").asLong());
        out.println();
        table(enis, out);
        out.println();
        if (warnings.isEmpty()) {
            out.println("no warnings");
        } else {
            out.println("WARNINGS");
            warnings.forEach(w -> out.println("  ! " + w));
        }
    }

    /** What network policy enforces on the node, or that it is off. */
    static String policyLine(JsonNode policy) {
        if (!policy.isObject()) {
            return "policy:  network policy off";
        }
        if (!policy.path("listed").asBoolean()) {
            return "policy:  " + policy.path("mode").asText() + " mode, waiting for the PolicyEndpoint list (the"
                    + " table in the kernel is enforced as left)";
        }
        JsonNode in = policy.path("ingressDrops");
        String drops = in.isNumber() ? "; dropped " + in.asLong() + " in, " + policy.path("egressDrops").asLong()
                + " out" : "";
        int skipped = policy.path("notEnforced").size();
        return "policy:  " + policy.path("mode").asText() + " mode, " + policy.path("policies").asInt()
                + " policies, " + policy.path("endpoints").asInt() + " PolicyEndpoints, " + policy.path("pods").asInt()
                + " pods enforced" + (skipped > 0 ? ", " + skipped + " PolicyEndpoints not enforced" : "") + drops
                + (policy.path("lastError").isTextual() ? "; last apply failed: " + policy.path("lastError").asText()
                : "");
    }

    /** The prefix fallback's line, when it is on or has left secondary IPs behind. */
    static Optional<String> fallbackLine(JsonNode fallback) {
        int ips = fallback.path("secondaryIps").asInt();
        if (fallback.path("active").asBoolean(false)) {
            return Optional.of("fallback: prefix fallback active: no free /28 in the subnet (InsufficientCidrBlocks),"
                    + " growing with secondary IPs until " + fallback.path("retryPrefixesAt").asText() + "; " + ips
                    + " secondary IPs in the pool");
        }
        if (ips > 0) {
            return Optional.of("fallback: " + ips + " secondary IPs left by an earlier prefix fallback; given back"
                    + " when unused and not needed for the target");
        }
        return Optional.empty();
    }

    private static void table(JsonNode enis, PrintStream out) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        for (JsonNode eni : enis.path("enis")) {
            int prefixes = 0;
            for (JsonNode cidr : eni.path("cidrs")) {
                prefixes += cidr.path("prefix").asBoolean() ? 1 : 0;
            }
            String subnet = eni.path("subnetId").isTextual()
                    ? eni.path("subnetId").asText() + " " + eni.path("subnetCidr").asText()
                    : eni.path("subnetCidr").asText();
            String id = eni.path("eniId").asText() + (eni.path("primary").asBoolean() ? " (primary)" : "")
                    + (eni.path("unmanaged").asBoolean() ? " (unmanaged)" : "");
            rows.add(List.of(id, eni.path("deviceIndex").asText(), subnet, eni.path("primaryIp").asText(),
                    eni.path("assigned").asInt() + "/" + eni.path("total").asInt(), eni.path("cooling").asText(),
                    Integer.toString(prefixes)));
        }
        int[] widths = new int[HEADER.size()];
        rows.forEach(row -> {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        });
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + (widths[i] + 2) + "s", row.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
