package io.vpccni.netlink.message;

import java.nio.ByteBuffer;

/**
 * struct ndmsg (linux/neighbour.h), 12 bytes: u8 family, u8 pad1, u16 pad2, s32 ifindex,
 * u16 state, u8 flags, u8 type.
 */
public record NdMsg(int family, int index, int state, int flags, int type) implements KernelStruct {
    public static final int SIZE = 12;

    public static NdMsg read(ByteBuffer b) {
        int family = Byte.toUnsignedInt(b.get());
        b.get();
        b.getShort();
        return new NdMsg(family, b.getInt(), Short.toUnsignedInt(b.getShort()), Byte.toUnsignedInt(b.get()),
                Byte.toUnsignedInt(b.get()));
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer b) {
        b.put((byte) family).put((byte) 0).putShort((short) 0).putInt(index).putShort((short) state)
                .put((byte) flags).put((byte) type);
    }
}
