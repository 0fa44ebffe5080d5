package io.vpccni.netlink.message;

import java.nio.ByteBuffer;

/** A fixed-size family header that follows nlmsghdr (ifinfomsg, ifaddrmsg, rtmsg, fib_rule_hdr, ndmsg). */
public sealed interface KernelStruct permits IfInfoMsg, IfAddrMsg, RtMsg, FibRuleHdr, NdMsg {
    /** sizeof the C struct; also the number of bytes {@link #write} must produce. */
    int size();

    void write(ByteBuffer b);
}
