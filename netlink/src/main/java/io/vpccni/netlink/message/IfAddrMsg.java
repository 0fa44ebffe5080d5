package io.vpccni.netlink.message;

import java.nio.ByteBuffer;

/** struct ifaddrmsg (linux/if_addr.h), 8 bytes: u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index. */
public record IfAddrMsg(int family, int prefixLength, int flags, int scope, int index) implements KernelStruct {
    public static final int SIZE = 8;

    public static IfAddrMsg read(ByteBuffer b) {
        return new IfAddrMsg(Byte.toUnsignedInt(b.get()), Byte.toUnsignedInt(b.get()), Byte.toUnsignedInt(b.get()),
                Byte.toUnsignedInt(b.get()), b.getInt());
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer b) {
        b.put((byte) family).put((byte) prefixLength).put((byte) flags).put((byte) scope).putInt(index);
    }
}
