package io.vpccni.netlink.message;

import java.nio.ByteBuffer;

/**
 * struct ifinfomsg (linux/rtnetlink.h), 16 bytes: u8 family, u8 pad, u16 type, s32 index,
 * u32 flags, u32 change. Also the payload head of VETH_INFO_PEER.
 */
public record IfInfoMsg(int family, int type, int index, int flags, int change) implements KernelStruct {
    public static final int SIZE = 16;
    /** Administratively up. */
    public static final int IFF_UP = 0x1;

    /** All zero: "any link", as dumps and by-name lookups use. */
    public static IfInfoMsg any() {
        return new IfInfoMsg(0, 0, 0, 0, 0);
    }

    public static IfInfoMsg ofIndex(int index) {
        return new IfInfoMsg(0, 0, index, 0, 0);
    }

    public static IfInfoMsg read(ByteBuffer b) {
        int family = Byte.toUnsignedInt(b.get());
        b.get();
        return new IfInfoMsg(family, Short.toUnsignedInt(b.getShort()), b.getInt(), b.getInt(), b.getInt());
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer b) {
        b.put((byte) family).put((byte) 0).putShort((short) type).putInt(index).putInt(flags).putInt(change);
    }
}
