package io.vpccni.ipamd.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A strict check that a checkpoint is what aws-vpc-cni v1.23 writes and reads, written independently of the
 * production codec so a rename there cannot slip through. From pkg/ipamd/datastore/data_store.go:
 * CheckpointData{version string; allocations []CheckpointEntry}, CheckpointEntry{IPAMKey (embedded:
 * networkName, containerID, ifName); ipv4,omitempty; ipv6,omitempty; allocationTimestamp int64; metadata
 * IPAMMetadata}, IPAMMetadata{k8sPodNamespace,omitempty; k8sPodName,omitempty; interfacesCount int,omitempty}.
 *
 * <p>Keys beyond those are allowed only from our declared additions, and none may equal an upstream key
 * ignoring case, because Go's decoder matches keys case-insensitively and would read ours into its field.
 */
final class UpstreamSchema {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    enum Type { STRING, INT64, INT, OBJECT, ARRAY }

    record Field(Type type, boolean omitempty) {}

    static final Map<String, Field> TOP = Map.of(
            "version", new Field(Type.STRING, false),
            "allocations", new Field(Type.ARRAY, false));
    static final Map<String, Field> ENTRY = Map.of(
            "networkName", new Field(Type.STRING, false),
            "containerID", new Field(Type.STRING, false),
            "ifName", new Field(Type.STRING, false),
            "ipv4", new Field(Type.STRING, true),
            "ipv6", new Field(Type.STRING, true),
            "allocationTimestamp", new Field(Type.INT64, false),
            "metadata", new Field(Type.OBJECT, false));
    static final Map<String, Field> METADATA = Map.of(
            "k8sPodNamespace", new Field(Type.STRING, true),
            "k8sPodName", new Field(Type.STRING, true),
            "interfacesCount", new Field(Type.INT, true));

    static final Set<String> OUR_TOP = Set.of("cooldowns");
    static final Set<String> OUR_ENTRY = Set.of("podUID", "eniID", "deviceNumber");

    private final List<String> violations = new ArrayList<>();

    private UpstreamSchema() {}

    /** Every way {@code json} departs from what upstream writes; empty when it conforms. */
    static List<String> violations(byte[] json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var schema = new UpstreamSchema();
        schema.object(root, "$", TOP, OUR_TOP);
        if (root.path("allocations").isArray()) {
            int i = 0;
            for (JsonNode entry : root.get("allocations")) {
                String where = "$.allocations[" + i++ + "]";
                schema.object(entry, where, ENTRY, OUR_ENTRY);
                if (entry.has("ipv4") == entry.has("ipv6")) {
                    schema.violations.add(where + ": upstream writes exactly one of ipv4 and ipv6");
                }
                if (entry.path("metadata").isObject()) {
                    schema.object(entry.get("metadata"), where + ".metadata", METADATA, Set.of());
                }
            }
        }
        return schema.violations;
    }

    private void object(JsonNode node, String where, Map<String, Field> upstream, Set<String> ours) {
        if (!node.isObject()) {
            violations.add(where + ": not an object");
            return;
        }
        upstream.forEach((name, field) -> {
            JsonNode value = node.get(name);
            if (value == null) {
                if (!field.omitempty()) {
                    violations.add(where + "." + name + ": missing, but Go always writes it");
                }
            } else if (!hasType(value, field.type())) {
                violations.add(where + "." + name + ": " + value + " is not a Go " + field.type());
            } else if (field.omitempty() && isGoZero(value)) {
                violations.add(where + "." + name + ": Go omits a zero value, found " + value);
            }
        });
        node.fieldNames().forEachRemaining(name -> {
            if (upstream.containsKey(name)) {
                return;
            }
            if (!ours.contains(name)) {
                violations.add(where + "." + name + ": neither an upstream field nor a declared addition");
            }
            upstream.keySet().stream()
                    .filter(theirs -> theirs.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
                    .forEach(theirs -> violations.add(
                            where + "." + name + ": Go would decode it into upstream's " + theirs));
        });
    }

    private static boolean hasType(JsonNode value, Type type) {
        return switch (type) {
            case STRING -> value.isTextual();
            case INT64 -> value.isIntegralNumber() && value.canConvertToLong();
            case INT -> value.isIntegralNumber() && value.canConvertToInt();
            case OBJECT -> value.isObject();
            case ARRAY -> value.isArray(); // Go writes [] for an empty non-nil slice; upstream never writes null
        };
    }

    private static boolean isGoZero(JsonNode value) {
        return value.isTextual() ? value.textValue().isEmpty() : value.isNumber() && value.longValue() == 0;
    }
}
