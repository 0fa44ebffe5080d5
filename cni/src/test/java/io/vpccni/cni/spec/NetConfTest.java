package io.vpccni.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class NetConfTest {
    /** The plugin entry of aws-vpc-cni's conflist, with its string-typed mtu. */
    static final String AWS_STYLE = """
            {"cniVersion":"0.4.0","name":"aws-cni","type":"vpc-cni","vethPrefix":"eni",
             "mtu":"9001","podSGEnforcingMode":"strict","pluginLogFile":"/var/log/vpc-cni/plugin.log",
             "pluginLogLevel":"DEBUG","capabilities":{"io.kubernetes.cri.pod-annotations":true},
             "runtimeConfig":{"io.kubernetes.cri.pod-annotations":{"a":"b"}},
             "ipam":{"type":"ignored","nested":[1,{"x":null}]}}
            """;

    @Test
    void awsStyleConfigurationParses() throws CniError {
        NetConf c = NetConf.parse(AWS_STYLE);
        assertThat(c.cniVersion()).isEqualTo(CniVersion.V0_4_0);
        assertThat(c.name()).isEqualTo("aws-cni");
        assertThat(c.type()).isEqualTo("vpc-cni");
        assertThat(c.mtu()).hasValue(9001);
        assertThat(c.vethPrefix()).isEqualTo("eni");
        assertThat(c.pluginLogFile()).contains("/var/log/vpc-cni/plugin.log");
        assertThat(c.pluginLogLevel()).contains("DEBUG");
        assertThat(c.runtimeConfig()).contains("{\"io.kubernetes.cri.pod-annotations\":{\"a\":\"b\"}}");
        assertThat(c.prevResult()).isEmpty();
        assertThat(c.validAttachments()).isEmpty();
    }

    @Test
    void minimalConfigurationGetsDefaults() throws CniError {
        NetConf c = NetConf.parse("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"t\"}");
        assertThat(c.mtu()).isEmpty();
        assertThat(c.vethPrefix()).isEqualTo(NetConf.DEFAULT_VETH_PREFIX);
        assertThat(c.pluginLogFile()).isEmpty();
        assertThat(c.runtimeConfig()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void everySupportedVersionIsAccepted(CniVersion v) throws CniError {
        assertThat(NetConf.parse("{\"cniVersion\":\"" + v.text() + "\",\"name\":\"n\",\"type\":\"t\"}")
                .cniVersion()).isEqualTo(v);
    }

    @ParameterizedTest(name = "cniVersion={0} cniVersions={1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "1.0.0 | [\"1.0.0\",\"1.1.0\"]           | 1.1.0",
        "1.0.0 | [\"1.1.0\",\"1.0.0\",\"0.4.0\"] | 1.1.0",
        "1.0.0 | [\"1.0.0\",\"2.0.0\"]           | 1.0.0",
        "      | [\"0.3.1\",\"0.4.0\"]           | 0.4.0",
        "0.4.0 | []                              | 0.4.0",
        "3.0.0 | [\"0.3.0\",\"9.9.9\"]           | 0.3.0",
    })
    void highestMutuallySupportedVersionWins(String cniVersion, String cniVersions, String expected)
            throws CniError {
        String version = cniVersion == null ? "" : "\"cniVersion\":\"" + cniVersion + "\",";
        NetConf c = NetConf.parse("{" + version + "\"cniVersions\":" + cniVersions
                + ",\"name\":\"n\",\"type\":\"t\"}");
        assertThat(c.cniVersion().text()).isEqualTo(expected);
    }

    @Test
    void noMutualVersionIsIncompatible() {
        assertThatThrownBy(() -> NetConf.parse(
                "{\"cniVersions\":[\"0.1.0\",\"2.0.0\"],\"name\":\"n\",\"type\":\"t\"}"))
                .isInstanceOfSatisfying(CniError.class, e -> {
                    assertThat(e.code()).isEqualTo(CniError.INCOMPATIBLE_VERSION);
                    assertThat(e.details()).contains("0.1.0", "2.0.0", "1.1.0");
                });
    }

    @Test
    void gcAttachmentsPreferTheSpecKeyOverTheLegacyOne() throws CniError {
        NetConf c = NetConf.parse("""
                {"cniVersion":"1.1.0","name":"n","type":"t",
                 "cni.dev/attachments":[{"containerID":"old","ifname":"eth0"}],
                 "cni.dev/valid-attachments":[{"containerID":"c1","ifname":"eth0"},
                                              {"containerID":"c2","ifname":"eth1","extra":1}]}
                """);
        assertThat(c.validAttachments()).contains(List.of(
                new NetConf.Attachment("c1", "eth0"), new NetConf.Attachment("c2", "eth1")));
    }

    @Test
    void legacyAttachmentKeyAloneIsUsed() throws CniError {
        NetConf c = NetConf.parse("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"t\","
                + "\"cni.dev/attachments\":[{\"containerID\":\"c1\",\"ifname\":\"eth0\"}]}");
        assertThat(c.validAttachments()).contains(List.of(new NetConf.Attachment("c1", "eth0")));
    }

    @Test
    void emptyAttachmentListIsNotAbsent() throws CniError {
        NetConf c = NetConf.parse("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"t\","
                + "\"cni.dev/valid-attachments\":[]}");
        assertThat(c.validAttachments()).contains(List.of());
    }

    @Test
    void prevResultIsParsedIntoTheModel() throws CniError {
        NetConf c = NetConf.parse("""
                {"cniVersion":"0.4.0","name":"aws-cni","type":"vpc-cni",
                 "prevResult":{"cniVersion":"0.4.0",
                   "interfaces":[{"name":"enic440f455693"},{"name":"eth0","mac":"3","sandbox":"/proc/1/ns/net"}],
                   "ips":[{"version":"4","interface":1,"address":"10.0.9.3/32"}],
                   "dns":{}}}
                """);
        CniResult r = c.prevResult().orElseThrow();
        assertThat(r.interfaces().get(1).mac()).contains("3");
        assertThat(r.ips()).containsExactly(CniResult.IpConfig.of("10.0.9.3/32", "", 1));
    }

    /** The shim's wait, read by the shim only while ipamd restarts, is checked on every parse by the shim's rules. */
    @Test
    void shimWaitSecondsIsANumberOfSecondsUpTo180AsNumberOrString() throws CniError {
        for (String ok : List.of("0", "60", "180", "\"45\"")) {
            NetConf.parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"shimWaitSeconds\":" + ok + "}");
        }
        for (String bad : List.of("181", "-1", "1.5", "\"soon\"", "\" 5\"", "null", "[1]")) {
            assertThatThrownBy(() -> NetConf.parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\","
                    + "\"shimWaitSeconds\":" + bad + "}")).as(bad).isInstanceOf(CniError.class)
                    .hasMessageContaining("shimWaitSeconds")
                    .satisfies(e -> assertThat(((CniError) e).code()).isEqualTo(CniError.INVALID_NETWORK_CONFIG));
        }
    }

    @Test
    void nullFieldsCountAsAbsent() throws CniError {
        NetConf c = NetConf.parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\","
                + "\"mtu\":null,\"prevResult\":null,\"runtimeConfig\":null}");
        assertThat(c.mtu()).isEmpty();
        assertThat(c.prevResult()).isEmpty();
        assertThat(c.runtimeConfig()).isEmpty();
    }

    @Test
    void utf8BytesAreDecoded() throws CniError {
        byte[] in = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"x\":\"é\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(NetConf.parse(in).name()).isEqualTo("n");
        assertThat(Optional.of(NetConf.parse(in).type())).contains("t");
    }
}
