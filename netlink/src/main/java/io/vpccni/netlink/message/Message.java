package io.vpccni.netlink.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One received netlink message: its header and its payload (the family struct and attributes),
 * as a read-only host-order view that starts at position 0.
 */
public record Message(NlMsgHdr header, ByteBuffer payload) {

    /**
     * Splits a received datagram into its messages. The kernel packs several messages into one
     * datagram during dumps; each starts at a 4-byte boundary. The messages are views of
     * {@code datagram}, not copies: do not reuse the array while they are in use.
     *
     * @throws IllegalArgumentException when a length field is inconsistent with the datagram
     */
    public static List<Message> split(byte[] datagram, int length) {
        ByteBuffer b = ByteBuffer.wrap(datagram, 0, length).order(ByteOrder.nativeOrder());
        List<Message> out = new ArrayList<>();
        int pos = 0;
        while (length - pos >= NlMsgHdr.SIZE) {
            NlMsgHdr h = NlMsgHdr.read(b.position(pos));
            if (h.length() < NlMsgHdr.SIZE || h.length() > length - pos) {
                throw new IllegalArgumentException("malformed nlmsghdr: length " + h.length() + " at " + pos
                        + " of a " + length + "-byte datagram");
            }
            ByteBuffer payload = b.slice(pos + NlMsgHdr.SIZE, h.length() - NlMsgHdr.SIZE)
                    .asReadOnlyBuffer().order(ByteOrder.nativeOrder());
            out.add(new Message(h, payload));
            pos += NlMsgHdr.align(h.length());
        }
        return out;
    }

    /** A fresh view of the payload (position 0), so decoders can advance it freely. */
    public ByteBuffer body() {
        return payload.duplicate().order(ByteOrder.nativeOrder()).position(0);
    }

    /** The attributes after a fixed struct of {@code structSize} bytes. */
    public Attributes attributesAfter(int structSize) {
        ByteBuffer b = body();
        if (b.remaining() < structSize) {
            throw new IllegalArgumentException("message type " + header.type() + " too short for its "
                    + structSize + "-byte header: " + b.remaining());
        }
        return Attributes.parse(b.position(NlMsgHdr.align(structSize)));
    }
}
