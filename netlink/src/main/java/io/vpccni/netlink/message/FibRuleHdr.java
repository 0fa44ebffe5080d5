package io.vpccni.netlink.message;

import java.nio.ByteBuffer;

/**
 * struct fib_rule_hdr (linux/fib_rules.h), 12 bytes: u8 family, dst_len, src_len, tos, table,
 * res1, res2, action; u32 flags. Same shape as rtmsg, different meaning of the bytes.
 */
public record FibRuleHdr(int family, int dstLength, int srcLength, int tos, int table, int action, int flags)
        implements KernelStruct {
    public static final int SIZE = 12;
    /** FR_ACT_TO_TBL: look up {@code table}. */
    public static final int FR_ACT_TO_TBL = 1;

    public static FibRuleHdr read(ByteBuffer b) {
        int family = Byte.toUnsignedInt(b.get());
        int dst = Byte.toUnsignedInt(b.get());
        int src = Byte.toUnsignedInt(b.get());
        int tos = Byte.toUnsignedInt(b.get());
        int table = Byte.toUnsignedInt(b.get());
        b.get();
        b.get();
        int action = Byte.toUnsignedInt(b.get());
        return new FibRuleHdr(family, dst, src, tos, table, action, b.getInt());
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer b) {
        b.put((byte) family).put((byte) dstLength).put((byte) srcLength).put((byte) tos).put((byte) table)
                .put((byte) 0).put((byte) 0).put((byte) action).putInt(flags);
    }
}
