package io.vpccni.ipamd.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpccni.ipamd.status.Warning.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Derives the warnings from a /v1/pool document. Grow failures are current (the maintainer clears them after a
 * successful grow), so each kind maps to one warning. Throttling counts since start are not a warning on their
 * own: they never go down, and an old burst would keep the command failing; they are printed as a note.
 */
final class Warnings {

    /** Below this many free addresses a subnet is low whatever the warm target. */
    static final int SUBNET_LOW_FLOOR = 16;

    private Warnings() {}

    static List<Warning> of(JsonNode pool) {
        List<Warning> out = new ArrayList<>();
        JsonNode readiness = pool.path("readiness");
        if (!readiness.path("ready").asBoolean(false)) {
            out.add(new Warning(Kind.NOT_READY, readiness.path("reason").asText("unknown reason")));
        }
        JsonNode addresses = pool.path("addresses");
        if (pool.path("restored").asBoolean(false) && addresses.path("available").asInt() == 0) {
            out.add(new Warning(Kind.POOL_EMPTY, "no address available (" + addresses.path("total").asInt()
                    + " total, " + addresses.path("assigned").asInt() + " assigned, "
                    + addresses.path("cooling").asInt() + " cooling); new pods wait for the pool to grow"));
        }
        subnetLow(pool).ifPresent(out::add);
        JsonNode fallback = pool.path("prefixFallback");
        if (fallback.path("active").asBoolean(false)) {
            // Pods still get addresses, but each /32 takes an ENI slot a /28 of 16 would have used: the node reaches
            // its address limit sooner, and the subnet is fragmented.
            out.add(new Warning(Kind.PREFIX_FALLBACK, "the subnet has no free /28 prefix (InsufficientCidrBlocks);"
                    + " pods get secondary IPs, " + fallback.path("secondaryIps").asInt() + " so far; prefixes are"
                    + " asked for again after " + fallback.path("retryPrefixesAt").asText()));
        }
        JsonNode enis = pool.path("enis");
        boolean atEniLimit = enis.path("inPool").asInt() >= enis.path("max").asInt();
        if (atEniLimit) {
            out.add(new Warning(Kind.ENI_LIMIT, enis.path("inPool").asInt() + " of " + enis.path("max").asInt()
                    + " ENIs in use; the pool cannot grow past " + enis.path("maxAddresses").asInt() + " addresses"));
        }
        JsonNode failure = pool.path("lastGrowFailure");
        if (failure.isObject()) {
            String kind = failure.path("kind").asText();
            String detail = failure.path("message").asText() + " (since " + failure.path("at").asText() + ")";
            switch (kind) {
                case "THROTTLED" -> out.add(new Warning(Kind.THROTTLED, "EC2 is throttling ipamd: " + detail));
                case "PERMISSION_DENIED" -> out.add(new Warning(Kind.PERMISSION_DENIED,
                        "the node's IAM role lacks a permission: " + detail));
                case "ENI_LIMIT" -> {
                    if (!atEniLimit) {
                        out.add(new Warning(Kind.ENI_LIMIT, detail));
                    }
                }
                case "SUBNET_FULL" -> out.add(new Warning(Kind.SUBNET_LOW, "the subnet is full: " + detail));
                default -> out.add(new Warning(Kind.GROW_BLOCKED, kind + ": " + detail));
            }
        }
        long denied = pool.path("ec2").path("permissionDenied").asLong();
        if (denied > 0 && out.stream().noneMatch(w -> w.kind() == Kind.PERMISSION_DENIED)) {
            // Unlike throttling, a denied call does not fix itself: the IAM policy has to change.
            out.add(new Warning(Kind.PERMISSION_DENIED, denied + " EC2 requests were denied since ipamd started"
                    + " (see ec2.errors in status --json)"));
        }
        return out;
    }

    private static Optional<Warning> subnetLow(JsonNode pool) {
        JsonNode free = pool.path("subnetFreeAddresses");
        if (!free.isNumber()) {
            return Optional.empty();
        }
        int warm = pool.path("targets").path("warmTargetAddresses").asInt();
        int threshold = Math.max(SUBNET_LOW_FLOOR, 2 * warm);
        if (free.asInt() >= threshold) {
            return Optional.empty();
        }
        return Optional.of(new Warning(Kind.SUBNET_LOW, free.asInt() + " free addresses left in the subnet"
                + " (below " + threshold + ": twice the warm target of " + warm + " or " + SUBNET_LOW_FLOOR + ")"));
    }
}
