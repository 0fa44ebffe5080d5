package io.vpccni.netlink.message;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Route;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Multipart replies, ACKs and errors, as {@link ReplyCollector} follows them. */
class RepliesTest {
    private static final int SEQ = 77;

    private static byte[] routeReply(int seq, String dst) {
        Route r = Route.to(IpPrefix.parse(dst)).withLinkIndex(2);
        return Replies.asReply(RouteMessages.add(r).bytes(), seq, NlMsgHdr.F_MULTI);
    }

    @Test
    void splitsADatagramHoldingSeveralMessages() {
        byte[] datagram = Replies.concat(routeReply(SEQ, "10.0.0.0/8"), routeReply(SEQ, "10.1.0.0/16"), Replies.done(SEQ, 0));
        assertThat(Message.split(datagram, datagram.length)).extracting(m -> m.header().type())
                .containsExactly(RtmType.NEWROUTE, RtmType.NEWROUTE, NlMsgHdr.NLMSG_DONE);
    }

    @Test
    void splitRejectsAHeaderLongerThanTheDatagram() {
        byte[] m = routeReply(SEQ, "10.0.0.0/8");
        assertThatThrownBy(() -> Message.split(m, m.length - 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed nlmsghdr");
    }

    @Test
    void dumpCollectsDataUntilDone() {
        ReplyCollector c = new ReplyCollector(SEQ, true);
        assertThat(c.accept(Replies.only(routeReply(SEQ, "10.0.0.0/8")))).isFalse();
        assertThat(c.accept(Replies.only(routeReply(SEQ, "10.1.0.0/16")))).isFalse();
        assertThat(c.accept(Replies.only(Replies.done(SEQ, 0)))).isTrue();
        assertThat(c.data()).hasSize(2);
        assertThat(c.failure()).isEmpty();
        assertThat(c.data().stream().map(RouteMessages::decode).map(r -> r.destination().toString()))
                .containsExactly("10.0.0.0/8", "10.1.0.0/16");
    }

    @Test
    void repliesToAnEarlierRequestAreIgnored() {
        ReplyCollector c = new ReplyCollector(SEQ, false);
        assertThat(c.accept(Replies.only(Replies.error(SEQ - 1, -17, RtmType.NEWROUTE, null)))).isFalse();
        assertThat(c.accept(Replies.only(routeReply(SEQ - 1, "10.0.0.0/8")))).isFalse();
        assertThat(c.accept(Replies.only(Replies.error(SEQ, 0, RtmType.NEWROUTE, null)))).isTrue();
        assertThat(c.data()).isEmpty();
        assertThat(c.failure()).isEmpty();
    }

    @Test
    void aGetWaitsForTheAckAfterItsAnswer() {
        ReplyCollector c = new ReplyCollector(SEQ, false);
        assertThat(c.accept(Replies.only(routeReply(SEQ, "10.0.0.0/8")))).isFalse();
        assertThat(c.accept(Replies.only(Replies.error(SEQ, 0, RtmType.GETROUTE, null)))).isTrue();
        assertThat(c.data()).hasSize(1);
    }

    @Test
    void anErrorEndsTheExchangeWithTheErrnoAndTheKernelsText() {
        ReplyCollector c = new ReplyCollector(SEQ, false);
        assertThat(c.accept(Replies.only(Replies.error(SEQ, -17, RtmType.NEWROUTE, "Route exists")))).isTrue();
        NlMsgErr err = c.failure().orElseThrow();
        assertThat(err.errno()).isEqualTo(17);
        assertThat(err.request().type()).isEqualTo(RtmType.NEWROUTE);
        assertThat(err.kernelMessage()).contains("Route exists");
    }

    @Test
    void anErrorEndsADumpToo() {
        ReplyCollector c = new ReplyCollector(SEQ, true);
        assertThat(c.accept(Replies.only(Replies.error(SEQ, -95, RtmType.GETROUTE, null)))).isTrue();
        assertThat(c.failure()).map(NlMsgErr::errno).contains(95);
    }

    @Test
    void doneWithANegativeValueIsAFailedDump() {
        ReplyCollector c = new ReplyCollector(SEQ, true);
        assertThat(c.accept(Replies.only(Replies.done(SEQ, -16)))).isTrue();
        assertThat(c.failure()).map(NlMsgErr::errno).contains(16);
    }

    @Test
    void anInterruptedDumpIsFlaggedForRetry() {
        ReplyCollector c = new ReplyCollector(SEQ, true);
        c.accept(Replies.only(Replies.asReply(routeReply(SEQ, "10.0.0.0/8"), SEQ, NlMsgHdr.F_DUMP_INTR)));
        c.accept(Replies.only(Replies.done(SEQ, 0)));
        assertThat(c.interrupted()).isTrue();
    }

    @Test
    void uncappedErrorSkipsTheEchoedRequestBeforeItsTlvs() {
        // Without NETLINK_CAP_ACK the whole request comes back; TLVs start after it.
        byte[] request = RouteMessages.add(Route.to(IpPrefix.parse("10.0.0.0/8")).withLinkIndex(1)).bytes();
        byte[] tlv = {12, 0, 1, 0, 'b', 'a', 'd', ' ', 'g', 'w', 0, 0};
        int total = NlMsgHdr.SIZE + 4 + request.length + tlv.length;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(total).order(java.nio.ByteOrder.nativeOrder());
        new NlMsgHdr(total, NlMsgHdr.NLMSG_ERROR, NlMsgHdr.F_ACK_TLVS, SEQ, 0).write(b);
        b.putInt(-22).put(request).put(tlv);
        NlMsgErr err = NlMsgErr.decode(Replies.only(b.array()));
        assertThat(err.errno()).isEqualTo(22);
        assertThat(err.kernelMessage()).contains("bad gw");
    }
}
