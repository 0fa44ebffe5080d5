package io.vpccni.netlink.message;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageWriterTest {

    @Test
    void patchesTheTotalLengthIntoTheHeader() {
        byte[] m = new MessageWriter(RtmType.GETLINK, NlMsgHdr.F_REQUEST).struct(IfInfoMsg.any()).finish();
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        assertThat(m).hasSize(32);
        assertThat(b.getInt(0)).isEqualTo(32);
        assertThat(b.getShort(4)).isEqualTo((short) RtmType.GETLINK);
        assertThat(b.getShort(6)).isEqualTo((short) NlMsgHdr.F_REQUEST);
    }

    @Test
    void padsAttributesToFourBytesButRecordsTheUnpaddedLength() {
        byte[] m = new MessageWriter(RtmType.GETLINK, 0).attrString(3, "eth0").finish();
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        // "eth0\0" is 5 bytes: rta_len 9, padded to 12.
        assertThat(b.getShort(16)).isEqualTo((short) 9);
        assertThat(b.getShort(18)).isEqualTo((short) 3);
        assertThat(m).hasSize(16 + 12);
        assertThat(new String(m, 20, 4)).isEqualTo("eth0");
        assertThat(m[24]).isZero();
    }

    @Test
    void nestedAttributesCarryTheLengthOfEverythingInside() {
        MessageWriter w = new MessageWriter(RtmType.NEWLINK, 0);
        int outer = w.beginNested(18);
        w.attrString(1, "veth");
        int inner = w.beginNested(2);
        w.attrU32(4, 1500);
        w.endNested(inner).endNested(outer);
        byte[] m = w.finish();

        Attributes top = Message.split(m, m.length).getFirst().attributesAfter(0);
        Attributes linkInfo = top.nested(18).orElseThrow();
        assertThat(linkInfo.string(1)).contains("veth");
        assertThat(linkInfo.nested(2).orElseThrow().u32(4)).hasValue(1500);
        assertThat(ByteBuffer.wrap(m).order(ByteOrder.nativeOrder()).getShort(16)).isEqualTo((short) (4 + 12 + 12));
    }

    @Test
    void stampsTheSequenceNumberAtOffsetEight() {
        byte[] m = new MessageWriter(RtmType.GETLINK, 0).finish();
        NlMsgHdr.stampSequence(m, 0x01020304);
        assertThat(Message.split(m, m.length).getFirst().header().seq()).isEqualTo(0x01020304);
    }

    @Test
    void attributeParserMasksTheNestedFlagAndLetsTheLastDuplicateWin() {
        byte[] m = new MessageWriter(RtmType.GETLINK, 0)
                .attrU32(4 | 0x8000, 1)
                .attrU32(4, 2)
                .finish();
        Attributes a = Message.split(m, m.length).getFirst().attributesAfter(0);
        assertThat(a.types()).containsExactly(4, 4);
        assertThat(a.u32(4)).hasValue(2);
    }

    @Test
    void attributeParserRejectsALengthPastTheEnd() {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        b.putShort((short) 40).putShort((short) 1).putInt(0).flip();
        assertThatThrownBy(() -> Attributes.parse(b)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed rtattr");
    }
}
