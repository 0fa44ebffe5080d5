package io.vpccni.netlink.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds kernel-shaped replies for tests. */
final class Replies {
    private Replies() {}

    /** Re-stamps a built message with a sequence number and extra header flags, as the kernel would answer. */
    static byte[] asReply(byte[] message, int seq, int extraFlags) {
        byte[] copy = message.clone();
        ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder());
        b.putShort(6, (short) (b.getShort(6) | extraFlags));
        b.putInt(8, seq);
        return copy;
    }

    static byte[] done(int seq, int error) {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
        new NlMsgHdr(20, NlMsgHdr.NLMSG_DONE, NlMsgHdr.F_MULTI, seq, 0).write(b);
        b.putInt(error);
        return b.array();
    }

    /** NLMSG_ERROR answering a request of {@code requestType}; with a text, capped and with an NLMSGERR_ATTR_MSG TLV. */
    static byte[] error(int seq, int negErrno, int requestType, String text) {
        byte[] tlv = new byte[0];
        int flags = 0;
        if (text != null) {
            byte[] s = Arrays.copyOf(text.getBytes(StandardCharsets.UTF_8), text.length() + 1);
            int len = 4 + s.length;
            ByteBuffer t = ByteBuffer.allocate(NlMsgHdr.align(len)).order(ByteOrder.nativeOrder());
            t.putShort((short) len).putShort((short) NlMsgErr.NLMSGERR_ATTR_MSG).put(s);
            tlv = t.array();
            flags = NlMsgHdr.F_CAPPED | NlMsgHdr.F_ACK_TLVS;
        }
        int total = NlMsgHdr.SIZE + NlMsgErr.SIZE + tlv.length;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.nativeOrder());
        new NlMsgHdr(total, NlMsgHdr.NLMSG_ERROR, flags, seq, 0).write(b);
        b.putInt(negErrno);
        new NlMsgHdr(64, requestType, NlMsgHdr.F_REQUEST | NlMsgHdr.F_ACK, seq, 0).write(b);
        b.put(tlv);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    static Message only(byte[] message) {
        var list = Message.split(message, message.length);
        if (list.size() != 1) {
            throw new AssertionError("expected one message, got " + list.size());
        }
        return list.getFirst();
    }
}
