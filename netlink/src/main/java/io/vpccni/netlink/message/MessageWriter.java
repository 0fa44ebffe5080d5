package io.vpccni.netlink.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink message: the header, the family's fixed struct, then rtattrs, nested as
 * deep as needed. Lengths are patched in when a nest is closed and when the message is
 * finished, so callers never compute them. Host byte order, 4-byte alignment throughout.
 */
public final class MessageWriter {
    /** struct rtattr: u16 rta_len, u16 rta_type. */
    public static final int RTA_HEADER = 4;

    private ByteBuffer buf = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());

    /** Starts a message of {@code type}; the sequence number is stamped at send time. */
    public MessageWriter(int type, int flags) {
        new NlMsgHdr(0, type, flags, 0, 0).write(buf);
    }

    /** Appends a fixed kernel struct (ifinfomsg, rtmsg, ...). */
    public MessageWriter struct(KernelStruct s) {
        ensure(s.size());
        int start = buf.position();
        s.write(buf);
        if (buf.position() - start != s.size()) {
            throw new IllegalStateException(s.getClass().getSimpleName() + " wrote " + (buf.position() - start)
                    + " bytes, declared " + s.size());
        }
        return this;
    }

    public MessageWriter attr(int type, byte[] value) {
        int len = RTA_HEADER + value.length;
        ensure(NlMsgHdr.align(len));
        buf.putShort((short) len).putShort((short) type).put(value);
        pad();
        return this;
    }

    public MessageWriter attrU32(int type, int value) {
        ensure(RTA_HEADER + 4);
        buf.putShort((short) (RTA_HEADER + 4)).putShort((short) type).putInt(value);
        return this;
    }

    /** A NUL-terminated string attribute, as the kernel's NLA_STRING/NLA_NUL_STRING both accept. */
    public MessageWriter attrString(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(s, s.length + 1));
    }

    /** Opens a nested attribute; pass the returned mark to {@link #endNested}. */
    public int beginNested(int type) {
        ensure(RTA_HEADER);
        int mark = buf.position();
        buf.putShort((short) 0).putShort((short) type);
        return mark;
    }

    public MessageWriter endNested(int mark) {
        buf.putShort(mark, (short) (buf.position() - mark));
        return this;
    }

    /** Patches nlmsg_len and returns the message bytes. */
    public byte[] finish() {
        buf.putInt(0, buf.position());
        return Arrays.copyOf(buf.array(), buf.position());
    }

    private void pad() {
        while ((buf.position() & 3) != 0) {
            buf.put((byte) 0);
        }
    }

    private void ensure(int more) {
        if (buf.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
                    .order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }
}
