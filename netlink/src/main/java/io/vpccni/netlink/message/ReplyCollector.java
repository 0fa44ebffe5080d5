package io.vpccni.netlink.message;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Follows the replies to one request: collects data messages with the request's sequence
 * number, ignores stale ones (answers to an earlier request that was abandoned), and says when
 * the exchange is over: at the ACK or error for a plain request, at NLMSG_DONE (or an error)
 * for a dump. Pure, so the protocol rules are tested without a socket.
 */
public final class ReplyCollector {
    private final int seq;
    private final boolean dump;
    private final List<Message> data = new ArrayList<>();
    private NlMsgErr failure;
    private boolean interrupted;
    private boolean complete;

    public ReplyCollector(int seq, boolean dump) {
        this.seq = seq;
        this.dump = dump;
    }

    /** Feeds one received message; returns true once the exchange is complete. */
    public boolean accept(Message m) {
        if (complete || m.header().seq() != seq) {
            return complete;
        }
        if (m.header().has(NlMsgHdr.F_DUMP_INTR)) {
            interrupted = true;
        }
        switch (m.header().type()) {
            case NlMsgHdr.NLMSG_NOOP -> { }
            case NlMsgHdr.NLMSG_ERROR -> {
                NlMsgErr err = NlMsgErr.decode(m);
                if (!err.isAck()) {
                    failure = err;
                }
                // A dump answers with DONE, but an error (or an ACK for a dump sent with
                // NLM_F_ACK) ends it too.
                complete = true;
            }
            case NlMsgHdr.NLMSG_DONE -> {
                ByteBuffer b = m.body();
                // DONE carries an int: a negated errno when the dump itself failed.
                int error = b.remaining() >= 4 ? b.getInt(0) : 0;
                if (error < 0) {
                    failure = new NlMsgErr(-error, m.header(), Optional.empty());
                }
                complete = true;
            }
            default -> {
                data.add(m);
                // A non-dump GET answers with one message and, because we always set NLM_F_ACK,
                // an ACK after it: keep reading until that ACK.
            }
        }
        return complete;
    }

    public boolean isComplete() {
        return complete;
    }

    public List<Message> data() {
        return data;
    }

    /** The error that ended the exchange, if it failed. */
    public Optional<NlMsgErr> failure() {
        return Optional.ofNullable(failure);
    }

    /** NLM_F_DUMP_INTR was set on a message: the dump may be inconsistent and should be retried. */
    public boolean interrupted() {
        return interrupted;
    }

    /** Whether this collector waits for NLMSG_DONE rather than an ACK. */
    public boolean isDump() {
        return dump;
    }
}
