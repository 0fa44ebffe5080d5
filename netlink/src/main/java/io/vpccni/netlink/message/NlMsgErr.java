package io.vpccni.netlink.message;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The payload of NLMSG_ERROR (struct nlmsgerr): a negated errno (0 for an ACK), the header of
 * the request it answers, then, with NETLINK_EXT_ACK, TLVs of which NLMSGERR_ATTR_MSG is the
 * kernel's own explanation ("Nexthop has invalid gateway").
 *
 * @param errno positive errno; 0 means success (an ACK)
 */
public record NlMsgErr(int errno, NlMsgHdr request, Optional<String> kernelMessage) {
    /** NLMSGERR_ATTR_MSG (linux/netlink.h). */
    static final int NLMSGERR_ATTR_MSG = 1;
    /** sizeof(struct nlmsgerr): int error + struct nlmsghdr. */
    public static final int SIZE = 4 + NlMsgHdr.SIZE;

    public boolean isAck() {
        return errno == 0;
    }

    public static NlMsgErr decode(Message m) {
        ByteBuffer b = m.body();
        if (b.remaining() < SIZE) {
            throw new IllegalArgumentException("NLMSG_ERROR payload of " + b.remaining() + " bytes, need " + SIZE);
        }
        int error = b.getInt();
        NlMsgHdr request = NlMsgHdr.read(b);
        Optional<String> text = Optional.empty();
        if (m.header().has(NlMsgHdr.F_ACK_TLVS)) {
            // Without NLM_F_CAPPED the whole request is echoed back before the TLVs.
            int tlvStart = m.header().has(NlMsgHdr.F_CAPPED)
                    ? SIZE
                    : 4 + NlMsgHdr.align(request.length());
            if (tlvStart <= b.limit()) {
                text = Attributes.parse(b.position(tlvStart)).string(NLMSGERR_ATTR_MSG);
            }
        }
        return new NlMsgErr(-error, request, text);
    }
}
