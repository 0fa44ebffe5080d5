package io.vpccni.netlink.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The rtattrs of one message (or of one nested attribute), by type. As in the kernel's
 * nla_parse, a later attribute of the same type wins. The NLA_F_NESTED / NLA_F_NET_BYTEORDER
 * flag bits are masked off the type.
 */
public final class Attributes {
    /** NLA_TYPE_MASK: the two top bits of rta_type are flags. */
    static final int TYPE_MASK = 0x3FFF;

    private final Map<Integer, ByteBuffer> byType;
    private final List<Integer> order;

    private Attributes(Map<Integer, ByteBuffer> byType, List<Integer> order) {
        this.byType = byType;
        this.order = order;
    }

    /**
     * Parses the attributes between the buffer's position and limit.
     *
     * @throws IllegalArgumentException on a malformed attribute (length below 4 or past the end)
     */
    public static Attributes parse(ByteBuffer region) {
        ByteBuffer b = region.slice().order(ByteOrder.nativeOrder());
        Map<Integer, ByteBuffer> map = new HashMap<>();
        List<Integer> order = new ArrayList<>();
        int pos = 0;
        while (b.limit() - pos >= MessageWriter.RTA_HEADER) {
            int len = Short.toUnsignedInt(b.getShort(pos));
            int type = Short.toUnsignedInt(b.getShort(pos + 2)) & TYPE_MASK;
            if (len < MessageWriter.RTA_HEADER || pos + len > b.limit()) {
                throw new IllegalArgumentException("malformed rtattr type " + type + " length " + len + " at " + pos
                        + " of " + b.limit());
            }
            map.put(type, b.slice(pos + MessageWriter.RTA_HEADER, len - MessageWriter.RTA_HEADER)
                    .order(ByteOrder.nativeOrder()));
            order.add(type);
            pos += NlMsgHdr.align(len);
        }
        return new Attributes(map, Collections.unmodifiableList(order));
    }

    public boolean has(int type) {
        return byType.containsKey(type);
    }

    /** Attribute types in the order they appeared (repeats included). */
    public List<Integer> types() {
        return order;
    }

    public Optional<byte[]> bytes(int type) {
        ByteBuffer v = byType.get(type);
        if (v == null) {
            return Optional.empty();
        }
        byte[] out = new byte[v.remaining()];
        v.duplicate().get(out);
        return Optional.of(out);
    }

    public OptionalInt u32(int type) {
        ByteBuffer v = byType.get(type);
        if (v == null) {
            return OptionalInt.empty();
        }
        if (v.remaining() < 4) {
            throw new IllegalArgumentException("attribute " + type + " has " + v.remaining() + " bytes, u32 needs 4");
        }
        return OptionalInt.of(v.getInt(0));
    }

    /** A string attribute, up to its first NUL (the kernel NUL-terminates most, not all). */
    public Optional<String> string(int type) {
        return bytes(type).map(b -> {
            int end = 0;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            return new String(b, 0, end, StandardCharsets.UTF_8);
        });
    }

    /** The attributes nested inside {@code type}. */
    public Optional<Attributes> nested(int type) {
        ByteBuffer v = byType.get(type);
        return v == null ? Optional.empty() : Optional.of(parse(v.duplicate()));
    }

    /** The raw value of {@code type}, read-only, for payloads that start with a struct (VETH_INFO_PEER). */
    public Optional<ByteBuffer> raw(int type) {
        ByteBuffer v = byType.get(type);
        return v == null ? Optional.empty() : Optional.of(v.asReadOnlyBuffer().order(ByteOrder.nativeOrder()));
    }
}
