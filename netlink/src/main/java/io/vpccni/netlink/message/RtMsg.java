package io.vpccni.netlink.message;

import java.nio.ByteBuffer;

/**
 * struct rtmsg (linux/rtnetlink.h), 12 bytes: u8 family, dst_len, src_len, tos, table,
 * protocol, scope, type; u32 flags. {@code table} is only 8 bits: ids above 255 travel in RTA_TABLE.
 */
public record RtMsg(int family, int dstLength, int srcLength, int tos, int table, int protocol, int scope, int type,
                    int flags) implements KernelStruct {
    public static final int SIZE = 12;
    /** rtm_flags / rtnh_flags bit: gateway is on-link (RTNH_F_ONLINK). */
    public static final int RTNH_F_ONLINK = 0x4;

    public static RtMsg read(ByteBuffer b) {
        return new RtMsg(Byte.toUnsignedInt(b.get()), Byte.toUnsignedInt(b.get()), Byte.toUnsignedInt(b.get()),
                Byte.toUnsignedInt(b.get()), Byte.toUnsignedInt(b.get()), Byte.toUnsignedInt(b.get()),
                Byte.toUnsignedInt(b.get()), Byte.toUnsignedInt(b.get()), b.getInt());
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer b) {
        b.put((byte) family).put((byte) dstLength).put((byte) srcLength).put((byte) tos).put((byte) table)
                .put((byte) protocol).put((byte) scope).put((byte) type).putInt(flags);
    }
}
