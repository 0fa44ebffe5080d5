package io.vpccni.rpc.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.rpc.message.AttachmentKey;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.Failure;
import io.vpccni.rpc.message.GcRequest;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.IpamRequest;
import io.vpccni.rpc.message.ReasonCode;
import io.vpccni.rpc.message.SampleMessages;
import io.vpccni.rpc.message.StatusRequest;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IpamCodecTest {
    @ParameterizedTest
    @MethodSource("io.vpccni.rpc.message.SampleMessages#requests")
    void everyRequestSurvivesARoundTrip(IpamRequest request) throws Exception {
        assertThat(IpamCodec.decodeRequest(IpamCodec.encode(request))).isEqualTo(request);
    }

    @ParameterizedTest
    @MethodSource("io.vpccni.rpc.message.SampleMessages#replies")
    void everyReplySurvivesARoundTrip(IpamReply reply) throws Exception {
        assertThat(IpamCodec.decodeReply(IpamCodec.encode(reply))).isEqualTo(reply);
    }

    @Test
    void everyReasonCodeSurvivesARoundTrip() throws Exception {
        for (ReasonCode c : ReasonCode.values()) {
            Failure f = Failure.of(c, "because " + c);
            assertThat(IpamCodec.decodeReply(IpamCodec.encode(f))).isEqualTo(f);
        }
    }

    @Test
    void wireFormatCarriesVersionAndType() throws Exception {
        assertThat(new String(IpamCodec.encode(new StatusRequest()), UTF_8))
                .isEqualTo("{\"protocolVersion\":1,\"type\":\"status\"}");
        assertThat(new String(IpamCodec.encode(SampleMessages.ADD), UTF_8)).isEqualTo(
                "{\"protocolVersion\":1,\"type\":\"add\",\"networkName\":\"vpc-cni\","
                        + "\"containerId\":\"a1b2c3\",\"ifName\":\"eth0\","
                        + "\"netns\":\"/proc/42/ns/net\",\"podNamespace\":\"default\","
                        + "\"podName\":\"nginx\",\"podUid\":\"1f2e-uid\"}");
    }

    @Test
    void fieldOrderAndUnknownFieldsDoNotMatter() throws Exception {
        String json = "{\"podUid\":\"\",\"future\":{\"x\":[1,2]},\"type\":\"del\","
                + "\"ifName\":\"eth0\",\"containerId\":\"c\",\"networkName\":\"n\","
                + "\"podName\":\"p\",\"podNamespace\":\"ns\",\"protocolVersion\":1}";
        assertThat(IpamCodec.decodeRequest(json.getBytes(UTF_8)))
                .isEqualTo(new DelRequest("n", "c", "eth0", "ns", "p", ""));
    }

    @Test
    void messageOfExactlyTheLimitIsAccepted() throws Exception {
        byte[] base = IpamCodec.encode(new StatusRequest());
        byte[] padded = Arrays.copyOf(base, Protocol.MAX_MESSAGE_BYTES);
        Arrays.fill(padded, base.length, padded.length, (byte) ' ');
        assertThat(IpamCodec.decodeRequest(padded)).isEqualTo(new StatusRequest());
    }

    @Test
    void anotherVersionIsADistinctError() {
        assertThatThrownBy(() -> IpamCodec.decodeRequest(
                "{\"protocolVersion\":2,\"type\":\"teleport\"}".getBytes(UTF_8)))
                .isInstanceOf(VersionMismatchException.class)
                .hasMessageContaining("peer speaks 2")
                .satisfies(e -> assertThat(((VersionMismatchException) e).received()).isEqualTo(2));
    }

    @Test
    void encodingRefusesAMessageOverTheLimit() {
        var many = Stream.iterate(0, i -> i + 1).limit(2000)
                .map(i -> new AttachmentKey("container-" + "x".repeat(40) + i, "eth0")).toList();
        assertThatThrownBy(() -> IpamCodec.encode(new GcRequest("n", many)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("exceeds the limit");
    }

    static Stream<Arguments> badRequests() {
        String add = new String(encodeUnchecked(SampleMessages.ADD), UTF_8);
        return Stream.of(
                bad("empty", "", "empty message"),
                bad("whitespace only", "  \n", "empty message"),
                bad("array root", "[1]", "not a JSON object"),
                bad("string root", "\"add\"", "not a JSON object"),
                bad("truncated", add.substring(0, add.length() / 2), "truncated"),
                bad("trailing garbage", add + "x", "trailing data"),
                bad("second object", add + "{}", "trailing data"),
                bad("not json", "hello", "malformed JSON"),
                bad("missing version", "{\"type\":\"status\"}", "'protocolVersion'"),
                bad("version as string", "{\"protocolVersion\":\"1\",\"type\":\"status\"}",
                        "'protocolVersion' of message must be an integer, got a string"),
                bad("missing type", "{\"protocolVersion\":1}", "'type' of message is missing"),
                bad("unknown type", "{\"protocolVersion\":1,\"type\":\"teleport\"}",
                        "unknown request type 'teleport'"),
                bad("missing field", add.replace("\"netns\":\"/proc/42/ns/net\",", ""),
                        "'netns' of add request is missing"),
                bad("wrong type", add.replace("\"eth0\"", "7"),
                        "'ifName' of add request must be a string, got an integer"),
                bad("null required", add.replace("\"eth0\"", "null"), "'ifName' of add request"),
                bad("empty key field", add.replace("\"a1b2c3\"", "\"\""),
                        "invalid add request: containerId must not be empty"),
                bad("duplicate field", add.replace("{", "{\"type\":\"del\","), "malformed JSON"),
                bad("gc list not array",
                        "{\"protocolVersion\":1,\"type\":\"gc\",\"networkName\":\"n\","
                                + "\"validAttachments\":{}}",
                        "'validAttachments' of gc request must be an array, got an object"),
                bad("gc entry not object",
                        "{\"protocolVersion\":1,\"type\":\"gc\",\"networkName\":\"n\","
                                + "\"validAttachments\":[\"c1\"]}",
                        "'validAttachments[0]' of gc request must be an object"),
                bad("fractional version", "{\"protocolVersion\":1.0,\"type\":\"status\"}",
                        "must be an integer, got a fractional number"),
                bad("huge integer", "{\"protocolVersion\":123456789012345678901234,\"type\":\"status\"}",
                        "integer out of range"),
                bad("too deep", "{\"protocolVersion\":1,\"type\":\"status\",\"x\":"
                        + "[".repeat(20) + "]".repeat(20) + "}", "nests deeper"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badRequestIsRejectedWithAReason(String name, byte[] input, String expected) {
        assertThatThrownBy(() -> IpamCodec.decodeRequest(input))
                .isInstanceOf(ProtocolException.class)
                .isNotInstanceOf(VersionMismatchException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void invalidUtf8IsRejected() {
        byte[] add = encodeUnchecked(SampleMessages.ADD);
        byte[] broken = new String(add, UTF_8).replace("nginx", "ngin\u0001")
                .getBytes(UTF_8);
        broken[indexOf(broken, (byte) 1)] = (byte) 0xC3; // a lead byte with no continuation
        assertThatThrownBy(() -> IpamCodec.decodeRequest(broken))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void oversizedInputIsRejectedBeforeParsing() {
        byte[] big = new byte[Protocol.MAX_MESSAGE_BYTES + 1];
        Arrays.fill(big, (byte) '{');
        assertThatThrownBy(() -> IpamCodec.decodeRequest(big))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("exceeds the limit");
    }

    static Stream<Arguments> badReplies() {
        return Stream.of(
                bad("request type as reply", "{\"protocolVersion\":1,\"type\":\"add\"}",
                        "unknown reply type 'add'"),
                bad("unknown reason", "{\"protocolVersion\":1,\"type\":\"failure\","
                        + "\"reason\":\"SOLAR_FLARE\",\"message\":\"m\",\"retryable\":false}",
                        "unknown failure reason 'SOLAR_FLARE'"),
                bad("bad address", "{\"protocolVersion\":1,\"type\":\"add-ok\","
                        + "\"ipv4Address\":\"10.0.0.256\",\"prefixLength\":32,\"deviceNumber\":0,"
                        + "\"routeTableId\":254,\"podMtu\":9001,\"eniId\":\"eni-1\"}",
                        "ipv4Address is not an IPv4 address"),
                bad("released not object", "{\"protocolVersion\":1,\"type\":\"del-ok\","
                        + "\"released\":\"10.0.0.1\"}", "'released' of del-ok reply must be an object"),
                bad("status ready as string", "{\"protocolVersion\":1,\"type\":\"status-ok\","
                        + "\"ready\":\"yes\",\"reason\":\"\",\"availableAddresses\":1}",
                        "'ready' of status-ok reply must be a boolean"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badReplies")
    void badReplyIsRejectedWithAReason(String name, byte[] input, String expected) {
        assertThatThrownBy(() -> IpamCodec.decodeReply(input))
                .isInstanceOf(ProtocolException.class).hasMessageContaining(expected);
    }

    @Test
    void reasonCodesMapToCniCodes() {
        assertThat(ReasonCode.NOT_READY.cniCode()).isEqualTo(11);
        assertThat(ReasonCode.POOL_EMPTY.cniCode()).isEqualTo(11);
        assertThat(ReasonCode.POOL_EMPTY_THROTTLED.cniCode()).isEqualTo(11);
        assertThat(ReasonCode.POOL_EMPTY_SUBNET_EXHAUSTED.cniCode()).isEqualTo(101);
        assertThat(ReasonCode.INTERNAL.cniCode()).isEqualTo(999);
        for (ReasonCode c : ReasonCode.values()) {
            assertThat(c.retryable()).as(c.name()).isEqualTo(c.cniCode() == 11);
        }
    }

    private static Arguments bad(String name, String input, String expected) {
        return Arguments.of(name, input.getBytes(UTF_8), expected);
    }

    private static byte[] encodeUnchecked(IpamRequest r) {
        try {
            return IpamCodec.encode(r);
        } catch (ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
