package io.vpccni.netlink.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An encoded request and how to name it in an error, e.g. {@code "RTM_NEWROUTE 10.0.0.5/32 table 3"}.
 * The sequence number is left 0 and stamped by the socket on a copy when sending.
 *
 * @param bytes the whole message; not copied, treat as owned by this request (equality is by identity)
 * @param dump  a NLM_F_DUMP request, answered by a multipart reply ending in NLMSG_DONE
 */
public record Request(byte[] bytes, String operation, boolean dump) {
    public int type() {
        return Short.toUnsignedInt(header().getShort(4));
    }

    public int flags() {
        return Short.toUnsignedInt(header().getShort(6));
    }

    private ByteBuffer header() {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }
}
