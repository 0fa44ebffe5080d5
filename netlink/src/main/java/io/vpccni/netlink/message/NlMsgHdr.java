package io.vpccni.netlink.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * struct nlmsghdr (linux/netlink.h), 16 bytes: u32 nlmsg_len, u16 nlmsg_type, u16 nlmsg_flags,
 * u32 nlmsg_seq, u32 nlmsg_pid, in host byte order.
 */
public record NlMsgHdr(int length, int type, int flags, int seq, int portId) {
    public static final int SIZE = 16;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;

    public static final int F_REQUEST = 0x01;
    public static final int F_MULTI = 0x02;
    public static final int F_ACK = 0x04;
    public static final int F_ECHO = 0x08;
    /** The dump changed while it was being taken; its contents may be inconsistent. */
    public static final int F_DUMP_INTR = 0x10;
    /** GET modifiers. */
    public static final int F_ROOT = 0x100;
    public static final int F_MATCH = 0x200;
    public static final int F_DUMP = F_ROOT | F_MATCH;
    /** NEW modifiers. */
    public static final int F_REPLACE = 0x100;
    public static final int F_EXCL = 0x200;
    public static final int F_CREATE = 0x400;
    public static final int F_APPEND = 0x800;
    /** NLMSG_ERROR modifiers: the echoed request is cut to its header; extended-ACK TLVs follow. */
    public static final int F_CAPPED = 0x100;
    public static final int F_ACK_TLVS = 0x200;

    /** Byte offset of nlmsg_seq, for stamping a built request just before it is sent. */
    static final int SEQ_OFFSET = 8;

    /** NLMSG_ALIGN / RTA_ALIGN: everything in netlink is padded to 4 bytes. */
    public static int align(int n) {
        return (n + 3) & ~3;
    }

    /** Reads a header at the buffer's position and advances it by {@link #SIZE}. */
    public static NlMsgHdr read(ByteBuffer b) {
        return new NlMsgHdr(b.getInt(), Short.toUnsignedInt(b.getShort()), Short.toUnsignedInt(b.getShort()),
                b.getInt(), b.getInt());
    }

    public void write(ByteBuffer b) {
        b.putInt(length).putShort((short) type).putShort((short) flags).putInt(seq).putInt(portId);
    }

    /** Writes {@code seq} into an encoded message; requests are built before their sequence number is known. */
    public static void stampSequence(byte[] message, int seq) {
        ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()).putInt(SEQ_OFFSET, seq);
    }

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }
}
