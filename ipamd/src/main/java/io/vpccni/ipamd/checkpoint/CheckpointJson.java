package io.vpccni.ipamd.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The JSON form of a {@link Checkpoint}, as aws-vpc-cni's Go structs (CheckpointData, CheckpointEntry with an
 * embedded IPAMKey, IPAMMetadata) encode it with encoding/json: one compact line and a newline, fields in
 * struct order, {@code omitempty} fields left out when empty, so rewriting an upstream file reproduces it.
 *
 * <p>Writing streams straight to bytes (a few microseconds for hundreds of pods: it runs before every add
 * reply). Reading happens once at start-up and goes through a tree, so that every error names the field.
 * Decoding follows Go where Go is lenient (unknown keys ignored, null or missing means empty) and is strict
 * where Go is strict (a value of the wrong type is an error).
 */
final class CheckpointJson {

    // Upstream's names: changing any of them breaks moving a node back to aws-node.
    static final String VERSION = "version";
    static final String ALLOCATIONS = "allocations";
    static final String NETWORK_NAME = "networkName";
    static final String CONTAINER_ID = "containerID";
    static final String IF_NAME = "ifName";
    static final String IPV4 = "ipv4";
    static final String IPV6 = "ipv6";
    static final String ALLOCATION_TIMESTAMP = "allocationTimestamp";
    static final String METADATA = "metadata";
    static final String POD_NAMESPACE = "k8sPodNamespace";
    static final String POD_NAME = "k8sPodName";
    static final String INTERFACES_COUNT = "interfacesCount";
    // Ours. Go matches keys case-insensitively, so none may equal an upstream name ignoring case.
    static final String COOLDOWNS = "cooldowns";
    static final String POD_UID = "podUID";
    static final String ENI_ID = "eniID";
    static final String DEVICE_NUMBER = "deviceNumber";
    static final String RELEASED_AT = "releasedAt";
    static final String ENIS = "enis";
    static final String PRIMARY = "primary";
    static final String SUBNET_CIDR = "subnetCIDR";
    static final String PRIMARY_IP = "primaryIP";
    static final String CREATED_AT = "createdAt";
    static final String CIDRS = "cidrs";

    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private CheckpointJson() {}

    static byte[] encode(Checkpoint checkpoint) {
        var out = new ByteArrayOutputStream(128 + 384 * checkpoint.allocations().size());
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(VERSION, checkpoint.version());
            g.writeArrayFieldStart(ALLOCATIONS); // always an array: Go writes [] for no pods, never null
            for (CheckpointEntry entry : checkpoint.allocations()) {
                writeEntry(g, entry);
            }
            g.writeEndArray();
            if (!checkpoint.cooldowns().isEmpty()) {
                g.writeArrayFieldStart(COOLDOWNS);
                for (CooldownEntry cooling : checkpoint.cooldowns()) {
                    writeCooldown(g, cooling);
                }
                g.writeEndArray();
            }
            if (!checkpoint.enis().isEmpty()) {
                g.writeArrayFieldStart(ENIS);
                for (PooledEni eni : checkpoint.enis()) {
                    writeEni(g, eni);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        out.write('\n'); // json.Encoder ends every value with a newline
        return out.toByteArray();
    }

    private static void writeEntry(JsonGenerator g, CheckpointEntry e) throws IOException {
        g.writeStartObject();
        g.writeStringField(NETWORK_NAME, e.networkName());
        g.writeStringField(CONTAINER_ID, e.containerId());
        g.writeStringField(IF_NAME, e.ifName());
        writeIfPresent(g, IPV4, e.ipv4());
        writeIfPresent(g, IPV6, e.ipv6());
        g.writeNumberField(ALLOCATION_TIMESTAMP, e.allocationTimestampNanos());
        g.writeObjectFieldStart(METADATA); // a struct, so always present even when every field is empty
        PodMetadata m = e.metadata();
        if (!m.k8sPodNamespace().isEmpty()) {
            g.writeStringField(POD_NAMESPACE, m.k8sPodNamespace());
        }
        if (!m.k8sPodName().isEmpty()) {
            g.writeStringField(POD_NAME, m.k8sPodName());
        }
        if (m.interfacesCount() != 0) {
            g.writeNumberField(INTERFACES_COUNT, m.interfacesCount());
        }
        g.writeEndObject();
        writeIfPresent(g, POD_UID, e.podUid());
        writeIfPresent(g, ENI_ID, e.eniId());
        if (e.deviceNumber().isPresent()) {
            g.writeNumberField(DEVICE_NUMBER, e.deviceNumber().getAsInt());
        }
        g.writeEndObject();
    }

    private static void writeCooldown(JsonGenerator g, CooldownEntry c) throws IOException {
        g.writeStartObject();
        writeIfPresent(g, IPV4, c.ipv4());
        writeIfPresent(g, IPV6, c.ipv6());
        g.writeNumberField(RELEASED_AT, c.releasedAtNanos());
        writeIfPresent(g, ENI_ID, c.eniId());
        g.writeEndObject();
    }

    private static void writeEni(JsonGenerator g, PooledEni e) throws IOException {
        g.writeStartObject();
        g.writeStringField(ENI_ID, e.eniId());
        g.writeNumberField(DEVICE_NUMBER, e.deviceNumber());
        g.writeBooleanField(PRIMARY, e.primary());
        g.writeStringField(SUBNET_CIDR, e.subnetCidr());
        g.writeStringField(PRIMARY_IP, e.primaryIp());
        g.writeNumberField(CREATED_AT, e.createdAtNanos());
        g.writeArrayFieldStart(CIDRS);
        for (String cidr : e.cidrs()) {
            g.writeString(cidr);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeIfPresent(JsonGenerator g, String field, Optional<String> value) throws IOException {
        if (value.isPresent()) {
            g.writeStringField(field, value.get());
        }
    }

    /** Decodes a checkpoint; {@code file} only names the source in errors. */
    static Checkpoint decode(byte[] json, Path file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(CheckpointException.Reason.CORRUPT, file,
                    "not valid JSON at line " + e.getLocation().getLineNr() + " column "
                            + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CheckpointException(CheckpointException.Reason.CORRUPT, file, "not valid JSON", e);
        }
        return new Decoder(file).checkpoint(json.length, root);
    }

    /** Reads the tree, naming the JSON path of whatever is wrong. */
    private record Decoder(Path file) {

        Checkpoint checkpoint(int size, JsonNode root) {
            if (root == null || root.isMissingNode()) {
                throw corrupt("is empty (" + size + " bytes)");
            }
            if (!root.isObject()) {
                throw corrupt("expected a JSON object at the top level, found " + kind(root));
            }
            Optional<String> version = optionalString(root, VERSION, VERSION);
            if (version.isEmpty()) {
                throw new CheckpointException(CheckpointException.Reason.UNSUPPORTED_VERSION, file,
                        "no \"version\" field; expected \"" + Checkpoint.CURRENT_VERSION + "\"");
            }
            if (!version.get().equals(Checkpoint.CURRENT_VERSION)) {
                throw new CheckpointException(CheckpointException.Reason.UNSUPPORTED_VERSION, file,
                        "version \"" + version.get() + "\", expected \"" + Checkpoint.CURRENT_VERSION + "\"");
            }
            List<CheckpointEntry> allocations = new ArrayList<>();
            forEachObject(root, ALLOCATIONS, (node, where) -> allocations.add(entry(node, where)));
            List<CooldownEntry> cooldowns = new ArrayList<>();
            forEachObject(root, COOLDOWNS, (node, where) -> cooldowns.add(cooldown(node, where)));
            List<PooledEni> enis = new ArrayList<>();
            forEachObject(root, ENIS, (node, where) -> enis.add(pooledEni(node, where)));
            return new Checkpoint(version.get(), allocations, cooldowns, enis);
        }

        private CheckpointEntry entry(JsonNode node, String where) {
            return new CheckpointEntry(
                    optionalString(node, NETWORK_NAME, where).orElse(""),
                    optionalString(node, CONTAINER_ID, where).orElse(""),
                    optionalString(node, IF_NAME, where).orElse(""),
                    optionalString(node, IPV4, where),
                    optionalString(node, IPV6, where),
                    optionalLong(node, ALLOCATION_TIMESTAMP, where).orElse(0L),
                    metadata(node, where),
                    optionalString(node, POD_UID, where),
                    optionalString(node, ENI_ID, where),
                    optionalInt(node, DEVICE_NUMBER, where));
        }

        private PodMetadata metadata(JsonNode entry, String where) {
            JsonNode node = present(entry, METADATA);
            String path = where + "." + METADATA;
            if (node == null) {
                return PodMetadata.EMPTY;
            }
            if (!node.isObject()) {
                throw corrupt(path + ": expected an object, found " + kind(node));
            }
            return new PodMetadata(
                    optionalString(node, POD_NAMESPACE, path).orElse(""),
                    optionalString(node, POD_NAME, path).orElse(""),
                    optionalInt(node, INTERFACES_COUNT, path).orElse(0));
        }

        private CooldownEntry cooldown(JsonNode node, String where) {
            Optional<String> ipv4 = optionalString(node, IPV4, where);
            Optional<String> ipv6 = optionalString(node, IPV6, where);
            if (ipv4.isPresent() == ipv6.isPresent()) {
                throw corrupt(where + ": needs exactly one of \"ipv4\" and \"ipv6\"");
            }
            long releasedAt = optionalLong(node, RELEASED_AT, where)
                    .orElseThrow(() -> corrupt(where + ": no \"" + RELEASED_AT + "\""));
            return new CooldownEntry(ipv4, ipv6, releasedAt, optionalString(node, ENI_ID, where));
        }

        private PooledEni pooledEni(JsonNode node, String where) {
            JsonNode primary = present(node, PRIMARY);
            if (primary != null && !primary.isBoolean()) {
                throw corrupt(where + "." + PRIMARY + ": expected true or false, found " + kind(primary));
            }
            List<String> cidrs = new ArrayList<>();
            JsonNode array = present(node, CIDRS);
            if (array != null && !array.isArray()) {
                throw corrupt(where + "." + CIDRS + ": expected an array, found " + kind(array));
            }
            for (int i = 0; array != null && i < array.size(); i++) {
                if (!array.get(i).isTextual()) {
                    throw corrupt(where + "." + CIDRS + "[" + i + "]: expected a string, found " + kind(array.get(i)));
                }
                cidrs.add(array.get(i).textValue());
            }
            return new PooledEni(required(node, ENI_ID, where),
                    optionalInt(node, DEVICE_NUMBER, where).orElseThrow(() -> missing(where, DEVICE_NUMBER)),
                    primary != null && primary.booleanValue(), required(node, SUBNET_CIDR, where),
                    required(node, PRIMARY_IP, where), optionalLong(node, CREATED_AT, where).orElse(0L), cidrs);
        }

        private String required(JsonNode node, String field, String where) {
            return optionalString(node, field, where).orElseThrow(() -> missing(where, field));
        }

        private CheckpointException missing(String where, String field) {
            return corrupt(where + ": no \"" + field + "\"");
        }

        private interface ElementReader {
            void read(JsonNode element, String where);
        }

        private void forEachObject(JsonNode parent, String field, ElementReader reader) {
            JsonNode array = present(parent, field);
            if (array == null) {
                return; // Go leaves a missing or null slice empty
            }
            if (!array.isArray()) {
                throw corrupt(field + ": expected an array, found " + kind(array));
            }
            for (int i = 0; i < array.size(); i++) {
                String where = field + "[" + i + "]";
                JsonNode element = array.get(i);
                if (!element.isObject()) {
                    throw corrupt(where + ": expected an object, found " + kind(element));
                }
                reader.read(element, where);
            }
        }

        private Optional<String> optionalString(JsonNode parent, String field, String where) {
            JsonNode node = present(parent, field);
            if (node == null) {
                return Optional.empty();
            }
            if (!node.isTextual()) {
                throw corrupt(where + "." + field + ": expected a string, found " + kind(node));
            }
            return Optional.of(node.textValue()).filter(s -> !s.isEmpty());
        }

        private Optional<Long> optionalLong(JsonNode parent, String field, String where) {
            JsonNode node = present(parent, field);
            if (node == null) {
                return Optional.empty();
            }
            // Go decodes int64 only from an integer literal: 1.7e18 or "170..." are errors there too.
            if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                throw corrupt(where + "." + field + ": expected a 64-bit integer, found " + kind(node));
            }
            return Optional.of(node.longValue());
        }

        private OptionalInt optionalInt(JsonNode parent, String field, String where) {
            JsonNode node = present(parent, field);
            if (node == null) {
                return OptionalInt.empty();
            }
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                throw corrupt(where + "." + field + ": expected an integer, found " + kind(node));
            }
            if (node.intValue() < 0) {
                throw corrupt(where + "." + field + ": must not be negative, found " + node.intValue());
            }
            return OptionalInt.of(node.intValue());
        }

        /** The field's value, or null when it is missing or JSON null (both leave a Go field at its zero). */
        private static JsonNode present(JsonNode parent, String field) {
            JsonNode node = parent.get(field);
            return node == null || node.isNull() ? null : node;
        }

        private static String kind(JsonNode node) {
            String text = node.toString();
            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            return node.getNodeType().name().toLowerCase(Locale.ROOT) + " " + shown;
        }

        private CheckpointException corrupt(String detail) {
            return new CheckpointException(CheckpointException.Reason.CORRUPT, file, detail);
        }
    }
}
