package io.vpccni.rpc.codec;

import io.vpccni.rpc.json.JsonWriter;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.AttachmentKey;
import io.vpccni.rpc.message.DelOk;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.Failure;
import io.vpccni.rpc.message.GcOk;
import io.vpccni.rpc.message.GcRequest;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.IpamRequest;
import io.vpccni.rpc.message.ReasonCode;
import io.vpccni.rpc.message.StatusOk;
import io.vpccni.rpc.message.StatusRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * JSON encoding of requests and replies with {@link io.vpccni.rpc.json}. Decoding is strict: the
 * input must be one UTF-8 JSON object within {@link Protocol#MAX_MESSAGE_BYTES}, with no trailing
 * data, carrying our {@code protocolVersion}, a known {@code type} and every required field with
 * the right JSON type; otherwise a {@link ProtocolException} says what was wrong (a
 * {@link VersionMismatchException} for another version). Unknown fields are ignored.
 */
public final class IpamCodec {
    private IpamCodec() {}

    // Encoders use instanceof chains: a pattern switch bootstraps a class at run time, a cost the
    // plugin, a fresh JVM per call, would pay on every call.

    public static byte[] encode(IpamRequest request) throws ProtocolException {
        var out = new StringBuilder(256);
        var w = new JsonWriter(out).startObject();
        if (request instanceof AddRequest a) {
            header(w, "add");
            key(w, a.networkName(), a.containerId(), a.ifName());
            w.field("netns", a.netns());
            pod(w, a.podNamespace(), a.podName(), a.podUid());
        } else if (request instanceof DelRequest d) {
            header(w, "del");
            key(w, d.networkName(), d.containerId(), d.ifName());
            pod(w, d.podNamespace(), d.podName(), d.podUid());
        } else if (request instanceof StatusRequest) {
            header(w, "status");
        } else {
            GcRequest gc = (GcRequest) request; // the last of the sealed types
            header(w, "gc");
            w.field("networkName", gc.networkName());
            w.name("validAttachments").startArray();
            for (AttachmentKey k : gc.valid()) {
                attachment(w, k).endObject();
            }
            w.endArray();
        }
        w.endObject();
        return bytes(out);
    }

    public static byte[] encode(IpamReply reply) throws ProtocolException {
        var out = new StringBuilder(256);
        var w = new JsonWriter(out).startObject();
        if (reply instanceof AddOk a) {
            header(w, "add-ok");
            w.field("ipv4Address", a.ipv4Address());
            w.field("prefixLength", a.prefixLength());
            w.field("deviceNumber", a.deviceNumber());
            w.field("routeTableId", a.routeTableId());
            w.field("podMtu", a.podMtu());
            w.field("eniId", a.eniId());
            if (a.eniSubnetCidr().isPresent()) {
                w.field("eniSubnetCidr", a.eniSubnetCidr().get());
            }
        } else if (reply instanceof DelOk d) {
            header(w, "del-ok");
            if (d.released().isPresent()) {
                DelOk.Released r = d.released().get();
                w.name("released").startObject();
                w.field("ipv4Address", r.ipv4Address());
                w.field("deviceNumber", r.deviceNumber());
                w.field("routeTableId", r.routeTableId());
                w.endObject();
            }
        } else if (reply instanceof StatusOk s) {
            header(w, "status-ok");
            w.field("ready", s.ready());
            w.field("reason", s.reason());
            w.field("availableAddresses", s.availableAddresses());
        } else if (reply instanceof GcOk gc) {
            header(w, "gc-ok");
            w.name("released").startArray();
            for (GcOk.Released r : gc.released()) {
                attachment(w, r.attachment()).field("ipv4Address", r.ipv4Address()).endObject();
            }
            w.endArray();
        } else {
            Failure f = (Failure) reply; // the last of the sealed types
            header(w, "failure");
            w.field("reason", f.reason().name());
            w.field("message", f.message());
            w.field("retryable", f.retryable());
        }
        w.endObject();
        return bytes(out);
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

    private static void header(JsonWriter w, String type) {
        w.field("protocolVersion", Protocol.PROTOCOL_VERSION);
        w.field("type", type);
    }

    private static void key(JsonWriter w, String network, String container, String ifName) {
        w.field("networkName", network);
        w.field("containerId", container);
        w.field("ifName", ifName);
    }

    private static void pod(JsonWriter w, String namespace, String name, String uid) {
        w.field("podNamespace", namespace);
        w.field("podName", name);
        w.field("podUid", uid);
    }

    /** Opens an attachment object; the caller may add fields, then closes it. */
    private static JsonWriter attachment(JsonWriter w, AttachmentKey k) {
        return w.startObject().field("containerId", k.containerId()).field("ifName", k.ifName());
    }

    private static byte[] bytes(StringBuilder json) throws ProtocolException {
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Protocol.MAX_MESSAGE_BYTES) {
            throw new ProtocolException("encoded message of " + bytes.length
                    + " bytes exceeds the limit of " + Protocol.MAX_MESSAGE_BYTES + " bytes");
        }
        return bytes;
    }
}
