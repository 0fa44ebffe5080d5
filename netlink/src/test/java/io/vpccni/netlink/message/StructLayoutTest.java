package io.vpccni.netlink.message;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** Sizes and field offsets of the kernel structs, against linux/rtnetlink.h and friends (x86_64/arm64). */
class StructLayoutTest {

    @Test
    void structSizesMatchTheKernelHeaders() {
        assertThat(NlMsgHdr.SIZE).isEqualTo(16);
        assertThat(IfInfoMsg.SIZE).isEqualTo(16);
        assertThat(IfAddrMsg.SIZE).isEqualTo(8);
        assertThat(RtMsg.SIZE).isEqualTo(12);
        assertThat(FibRuleHdr.SIZE).isEqualTo(12);
        assertThat(NdMsg.SIZE).isEqualTo(12);
        assertThat(NlMsgErr.SIZE).isEqualTo(20);
    }

    @Test
    void everyStructWritesExactlyItsSizeAndReadsBackEqual() {
        List<KernelStruct> samples = List.of(
                new IfInfoMsg(0, 1, 42, 1, 1),
                new IfAddrMsg(2, 24, 0x80, 253, 7),
                new RtMsg(2, 32, 0, 0, 254, 3, 253, 1, RtMsg.RTNH_F_ONLINK),
                new FibRuleHdr(2, 32, 0, 0, 254, FibRuleHdr.FR_ACT_TO_TBL, 0),
                new NdMsg(2, 9, 0x80, 0, 1));
        List<Function<ByteBuffer, KernelStruct>> readers = List.of(
                IfInfoMsg::read, IfAddrMsg::read, RtMsg::read, FibRuleHdr::read, NdMsg::read);
        for (int i = 0; i < samples.size(); i++) {
            KernelStruct s = samples.get(i);
            ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
            s.write(b);
            assertThat(b.position()).as(s.toString()).isEqualTo(s.size());
            assertThat(readers.get(i).apply(b.flip())).isEqualTo(s);
        }
    }

    @Test
    void ifinfomsgPutsIndexAtOffset4AndFlagsAt8() {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        new IfInfoMsg(0, 0, 0x0A0B0C0D, IfInfoMsg.IFF_UP, IfInfoMsg.IFF_UP).write(b.order(ByteOrder.nativeOrder()));
        assertThat(b.order(ByteOrder.nativeOrder()).getInt(4)).isEqualTo(0x0A0B0C0D);
        assertThat(b.getInt(8)).isEqualTo(1);
        assertThat(b.getInt(12)).isEqualTo(1);
    }

    @Test
    void ndmsgPutsIfindexAtOffset4AndStateAt8() {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        new NdMsg(2, 5, 0x80, 0, 0).write(b);
        assertThat(b.get(0)).isEqualTo((byte) 2);
        assertThat(b.getInt(4)).isEqualTo(5);
        assertThat(b.getShort(8)).isEqualTo((short) 0x80);
    }

    @Test
    void fibRuleHdrKeepsActionInTheLastByteBeforeFlags() {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        new FibRuleHdr(2, 0, 32, 0, 254, FibRuleHdr.FR_ACT_TO_TBL, 0).write(b);
        assertThat(b.array()).startsWith(2, 0, 32, 0, (byte) 254, 0, 0, 1);
    }

    @Test
    void alignmentRoundsUpToFourBytes() {
        assertThat(List.of(0, 1, 4, 5, 7, 8, 13)).map(NlMsgHdr::align).containsExactly(0, 4, 4, 8, 8, 8, 16);
    }
}
