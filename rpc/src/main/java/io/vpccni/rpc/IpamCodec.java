package io.vpccni.rpc;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * JSON encoding of requests and replies with jackson-core's streaming API. Decoding is strict: the
 * input must be one UTF-8 JSON object within {@link Protocol#MAX_MESSAGE_BYTES}, with no trailing
 * data, carrying our {@code protocolVersion}, a known {@code type} and every required field with
 * the right JSON type; otherwise a {@link ProtocolException} says what was wrong (a
 * {@link VersionMismatchException} for another version). Unknown fields are ignored.
 */
public final class IpamCodec {
    private IpamCodec() {}

    public static byte[] encode(IpamRequest request) throws ProtocolException {
        return write(g -> {
            switch (request) {
                case AddRequest a -> {
                    header(g, "add");
                    key(g, a.networkName(), a.containerId(), a.ifName());
                    g.writeStringField("netns", a.netns());
                    pod(g, a.podNamespace(), a.podName(), a.podUid());
                }
                case DelRequest d -> {
                    header(g, "del");
                    key(g, d.networkName(), d.containerId(), d.ifName());
                    pod(g, d.podNamespace(), d.podName(), d.podUid());
                }
                case StatusRequest s -> header(g, "status");
                case GcRequest gc -> {
                    header(g, "gc");
                    g.writeStringField("networkName", gc.networkName());
                    g.writeArrayFieldStart("validAttachments");
                    for (AttachmentKey k : gc.valid()) {
                        attachment(g, k);
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
            }
        });
    }

    public static byte[] encode(IpamReply reply) throws ProtocolException {
        return write(g -> {
            switch (reply) {
                case AddOk a -> {
                    header(g, "add-ok");
                    g.writeStringField("ipv4Address", a.ipv4Address());
                    g.writeNumberField("prefixLength", a.prefixLength());
                    g.writeNumberField("deviceNumber", a.deviceNumber());
                    g.writeNumberField("routeTableId", a.routeTableId());
                    g.writeNumberField("podMtu", a.podMtu());
                    g.writeStringField("eniId", a.eniId());
                    if (a.eniSubnetCidr().isPresent()) {
                        g.writeStringField("eniSubnetCidr", a.eniSubnetCidr().get());
                    }
                }
                case DelOk d -> {
                    header(g, "del-ok");
                    if (d.released().isPresent()) {
                        DelOk.Released r = d.released().get();
                        g.writeObjectFieldStart("released");
                        g.writeStringField("ipv4Address", r.ipv4Address());
                        g.writeNumberField("deviceNumber", r.deviceNumber());
                        g.writeNumberField("routeTableId", r.routeTableId());
                        g.writeEndObject();
                    }
                }
                case StatusOk s -> {
                    header(g, "status-ok");
                    g.writeBooleanField("ready", s.ready());
                    g.writeStringField("reason", s.reason());
                    g.writeNumberField("availableAddresses", s.availableAddresses());
                }
                case GcOk gc -> {
                    header(g, "gc-ok");
                    g.writeArrayFieldStart("released");
                    for (GcOk.Released r : gc.released()) {
                        attachment(g, r.attachment());
                        g.writeStringField("ipv4Address", r.ipv4Address());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                case Failure f -> {
                    header(g, "failure");
                    g.writeStringField("reason", f.reason().name());
                    g.writeStringField("message", f.message());
                    g.writeBooleanField("retryable", f.retryable());
                }
            }
        });
    }

    public static IpamRequest decodeRequest(byte[] bytes) throws ProtocolException {
        return decodeRequest(bytes, 0, bytes.length);
    }

    public static IpamRequest decodeRequest(byte[] bytes, int offset, int length)
            throws ProtocolException {
        Fields f = open(bytes, offset, length);
        String type = f.string("type");
        Fields m = new Fields(type + " request", f.map());
        try {
            return switch (type) {
                case "add" -> new AddRequest(m.string("networkName"), m.string("containerId"),
                        m.string("ifName"), m.string("netns"), m.string("podNamespace"),
                        m.string("podName"), m.string("podUid"));
                case "del" -> new DelRequest(m.string("networkName"), m.string("containerId"),
                        m.string("ifName"), m.string("podNamespace"), m.string("podName"),
                        m.string("podUid"));
                case "status" -> new StatusRequest();
                case "gc" -> new GcRequest(m.string("networkName"), attachments(m));
                default -> throw new ProtocolException("unknown request type '" + type + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("invalid " + type + " request: " + e.getMessage());
        }
    }

    public static IpamReply decodeReply(byte[] bytes) throws ProtocolException {
        return decodeReply(bytes, 0, bytes.length);
    }

    public static IpamReply decodeReply(byte[] bytes, int offset, int length)
            throws ProtocolException {
        Fields f = open(bytes, offset, length);
        String type = f.string("type");
        Fields m = new Fields(type + " reply", f.map());
        try {
            return switch (type) {
                case "add-ok" -> new AddOk(m.string("ipv4Address"), m.integer("prefixLength"),
                        m.integer("deviceNumber"), m.integer("routeTableId"), m.integer("podMtu"),
                        m.string("eniId"), m.optionalString("eniSubnetCidr"));
                case "del-ok" -> new DelOk(released(m));
                case "status-ok" -> new StatusOk(m.bool("ready"), m.string("reason"),
                        m.integer("availableAddresses"));
                case "gc-ok" -> new GcOk(gcReleased(m));
                case "failure" -> new Failure(reason(m), m.string("message"), m.bool("retryable"));
                default -> throw new ProtocolException("unknown reply type '" + type + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("invalid " + type + " reply: " + e.getMessage());
        }
    }

    /** Parses, then checks the version before anything else so a newer peer gets the right error. */
    private static Fields open(byte[] bytes, int offset, int length) throws ProtocolException {
        Map<String, Object> root = JsonTree.parseObject(bytes, offset, length);
        Fields f = new Fields("message", root);
        long version = f.longValue("protocolVersion");
        if (version != Protocol.PROTOCOL_VERSION) {
            throw new VersionMismatchException(version);
        }
        return f;
    }

    private static List<AttachmentKey> attachments(Fields m) throws ProtocolException {
        List<AttachmentKey> out = new ArrayList<>();
        for (Fields a : m.objects("validAttachments")) {
            out.add(new AttachmentKey(a.string("containerId"), a.string("ifName")));
        }
        return out;
    }

    private static Optional<DelOk.Released> released(Fields m) throws ProtocolException {
        Optional<Fields> r = m.optionalObject("released");
        if (r.isEmpty()) {
            return Optional.empty();
        }
        Fields f = r.get();
        return Optional.of(new DelOk.Released(f.string("ipv4Address"), f.integer("deviceNumber"),
                f.integer("routeTableId")));
    }

    private static List<GcOk.Released> gcReleased(Fields m) throws ProtocolException {
        List<GcOk.Released> out = new ArrayList<>();
        for (Fields r : m.objects("released")) {
            out.add(new GcOk.Released(new AttachmentKey(r.string("containerId"),
                    r.string("ifName")), r.string("ipv4Address")));
        }
        return out;
    }

    private static ReasonCode reason(Fields m) throws ProtocolException {
        String name = m.string("reason");
        for (ReasonCode c : ReasonCode.values()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new ProtocolException("unknown failure reason '" + name + "'");
    }

    private static void header(JsonGenerator g, String type) throws IOException {
        g.writeNumberField("protocolVersion", Protocol.PROTOCOL_VERSION);
        g.writeStringField("type", type);
    }

    private static void key(JsonGenerator g, String network, String container, String ifName)
            throws IOException {
        g.writeStringField("networkName", network);
        g.writeStringField("containerId", container);
        g.writeStringField("ifName", ifName);
    }

    private static void pod(JsonGenerator g, String namespace, String name, String uid)
            throws IOException {
        g.writeStringField("podNamespace", namespace);
        g.writeStringField("podName", name);
        g.writeStringField("podUid", uid);
    }

    /** Opens an attachment object; the caller may add fields, then closes it. */
    private static void attachment(JsonGenerator g, AttachmentKey k) throws IOException {
        g.writeStartObject();
        g.writeStringField("containerId", k.containerId());
        g.writeStringField("ifName", k.ifName());
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) throws ProtocolException {
        var out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JsonTree.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        if (out.size() > Protocol.MAX_MESSAGE_BYTES) {
            throw new ProtocolException("encoded message of " + out.size()
                    + " bytes exceeds the limit of " + Protocol.MAX_MESSAGE_BYTES + " bytes");
        }
        return out.toByteArray();
    }
}
