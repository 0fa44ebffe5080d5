package io.vpccni.cni.server;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PluginFramesTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String reason(String frame) {
        return ((PluginFrames.Malformed) PluginFrames.decode(bytes(frame))).reason();
    }

    @Test
    void aRequestDecodesToItsEnvironmentAndStdin() {
        var r = (PluginFrames.Request) PluginFrames.decode(bytes(
                "vpc-cni-plugin/1\nCNI_COMMAND=ADD\0CNI_ARGS=A=1;B=2\0VPC_CNI_SOCKET=/s\0\0{\"x\":\"\0y\"}"));

        assertThat(r.env()).containsExactlyInAnyOrderEntriesOf(
                Map.of("CNI_COMMAND", "ADD", "CNI_ARGS", "A=1;B=2", "VPC_CNI_SOCKET", "/s"));
        assertThat(new String(r.stdin(), StandardCharsets.UTF_8)).isEqualTo("{\"x\":\"\0y\"}");
    }

    @Test
    void theShimsEncodingIsWhatDecodeReads() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", "DEL");
        env.put("CNI_NETNS", "");
        var back = (PluginFrames.Request) PluginFrames.decode(
                ShimRequests.encode(new PluginFrames.Request(env, bytes("{}"))));

        assertThat(back.env()).isEqualTo(env);
        assertThat(back.stdin()).isEqualTo(bytes("{}"));
    }

    @Test
    void anEmptyEnvironmentAndStdinAreARequest() {
        var r = (PluginFrames.Request) PluginFrames.decode(bytes("vpc-cni-plugin/1\n\0"));

        assertThat(r.env()).isEmpty();
        assertThat(r.stdin()).isEmpty();
    }

    @Test
    void malformedRequestsSayWhatIsWrong() {
        assertThat(reason("")).contains("does not start with \"vpc-cni-plugin/1\\n\"");
        assertThat(reason("vpc-cni-plugin/2\n\0")).contains("does not start with");
        assertThat(reason("vpc-cni-plugin/1\nCNI_COMMAND=ADD\0")).contains("not terminated by an empty entry");
        assertThat(reason("vpc-cni-plugin/1\nCNI_COMMAND\0\0")).contains("without a name: \"CNI_COMMAND\"");
        assertThat(reason("vpc-cni-plugin/1\n=ADD\0\0")).contains("without a name");
        assertThat(reason("vpc-cni-plugin/1\nPATH=/bin\0\0")).contains("PATH is not one the plugin reads");
        assertThat(reason("vpc-cni-plugin/1\nCNI_A-B=1\0\0")).contains("CNI_A-B is not one the plugin reads");
        assertThat(reason("vpc-cni-plugin/1\nCNI_COMMAND=ADD\0CNI_COMMAND=DEL\0\0"))
                .contains("CNI_COMMAND appears twice");
        StringBuilder many = new StringBuilder("vpc-cni-plugin/1\n");
        for (int i = 0; i <= PluginFrames.MAX_VARIABLES; i++) {
            many.append("CNI_V").append(i).append("=x\0");
        }
        assertThat(reason(many.append('\0').toString())).contains("more than 64 environment variables");
    }

    @Test
    void onlyTheVariablesThePluginReadsAreForwarded() {
        assertThat(PluginFrames.forwarded("CNI_COMMAND")).isTrue();
        assertThat(PluginFrames.forwarded("VPC_CNI_SOCKET")).isTrue();
        assertThat(PluginFrames.forwarded("PATH")).isFalse();
        assertThat(PluginFrames.forwarded("CNI")).isFalse();
        assertThat(PluginFrames.forwarded("VPC_CNI_HOME x")).isFalse();
    }

    @Test
    void repliesCarryTheExitStatusAndStdoutOrTheReasonForNotServing() {
        assertThat(new String(PluginFrames.served(1, bytes("{\"code\":7}")), StandardCharsets.UTF_8))
                .isEqualTo("vpc-cni-plugin/1\nexit 1 10\n{\"code\":7}");
        assertThat(new String(PluginFrames.unserved("netns /x\nis gone"), StandardCharsets.UTF_8))
                .isEqualTo("vpc-cni-plugin/1\nunserved netns /x is gone\n");
    }
}
