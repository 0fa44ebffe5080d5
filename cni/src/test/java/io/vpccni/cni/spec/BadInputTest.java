package io.vpccni.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad input maps to its spec code, and the message names what was wrong. */
class BadInputTest {
    static Stream<Arguments> badEnvironments() {
        return Stream.of(
                env("no command", "CNI_COMMAND", null, "CNI_COMMAND"),
                env("empty command", "CNI_COMMAND", "", "CNI_COMMAND"),
                env("unknown command", "CNI_COMMAND", "FROB", "CNI_COMMAND 'FROB'"),
                env("lower-case command", "CNI_COMMAND", "add", "CNI_COMMAND 'add'"),
                env("no container id", "CNI_CONTAINERID", null, "CNI_CONTAINERID"),
                env("container id starts with dash", "CNI_CONTAINERID", "-abc",
                        "must start with a letter or digit"),
                env("container id with slash", "CNI_CONTAINERID", "ab/cd",
                        "CNI_CONTAINERID 'ab/cd' is invalid"),
                env("container id with space", "CNI_CONTAINERID", "ab cd", "CNI_CONTAINERID"),
                env("no netns on ADD", "CNI_NETNS", null, "CNI_NETNS"),
                env("no ifname", "CNI_IFNAME", null, "CNI_IFNAME"),
                env("ifname too long", "CNI_IFNAME", "x".repeat(16), "longer than 15"),
                env("ifname dot", "CNI_IFNAME", ".", "must not be '.' or '..'"),
                env("ifname dot dot", "CNI_IFNAME", "..", "must not be '.' or '..'"),
                env("ifname colon", "CNI_IFNAME", "eth0:1", "CNI_IFNAME 'eth0:1'"),
                env("ifname slash", "CNI_IFNAME", "a/b", "'/', ':' or whitespace"),
                env("ifname tab", "CNI_IFNAME", "a\tb", "whitespace"),
                env("no path", "CNI_PATH", null, "CNI_PATH"),
                env("args without equals", "CNI_ARGS", "K8S_POD_NAME", "CNI_ARGS"),
                env("args with empty key", "CNI_ARGS", "=x", "invalid pair '=x'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEnvironments")
    void badEnvironmentIsCode4(String name, Map<String, String> env, String expected) {
        assertThatThrownBy(() -> CmdArgs.fromEnv(env)).isInstanceOfSatisfying(CniError.class, e -> {
            assertThat(e.code()).isEqualTo(CniError.INVALID_ENVIRONMENT);
            assertThat(e.getMessage()).contains(expected);
        });
    }

    static final String OK = "{\"cniVersion\":\"1.0.0\",\"name\":\"aws-cni\",\"type\":\"vpc-cni\"";

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                conf("empty", "", 6, "network configuration must be a JSON object"),
                conf("not json", "cniVersion=1.0.0", 6, "malformed JSON"),
                conf("array", "[]", 6, "must be a JSON object"),
                conf("truncated", OK + ",\"mtu\":90", 6, "truncated JSON"),
                conf("trailing garbage", OK + "} {}", 6, "trailing data"),
                conf("wrong type, then broken JSON", "{\"cniVersion\":\"1.0.0\",\"type\":1,\"name\":", 6,
                        "truncated"),
                conf("duplicate key", OK + ",\"name\":\"x\"}", 6, "duplicate field 'name'"),
                conf("missing name", "{\"cniVersion\":\"1.0.0\",\"type\":\"vpc-cni\"}", 7, "missing name"),
                conf("empty name", "{\"cniVersion\":\"1.0.0\",\"name\":\"\",\"type\":\"t\"}", 7,
                        "missing name"),
                conf("bad name", "{\"cniVersion\":\"1.0.0\",\"name\":\"a b\",\"type\":\"t\"}", 7,
                        "network name 'a b' is invalid"),
                conf("missing type", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", 7, "missing type"),
                conf("type not string", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":1}", 7,
                        "type must be a string, got an integer"),
                conf("missing version", "{\"name\":\"n\",\"type\":\"t\"}", 7, "missing cniVersion"),
                conf("version not semver", "{\"cniVersion\":\"1.0\",\"name\":\"n\",\"type\":\"t\"}",
                        7, "cniVersion '1.0' is not a version"),
                conf("unsupported version", "{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"type\":\"t\"}",
                        1, "incompatible CNI version; config wants [0.2.0]"),
                conf("future version", "{\"cniVersion\":\"2.0.0\",\"name\":\"n\",\"type\":\"t\"}",
                        1, "plugin supports [0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0]"),
                conf("versions not array", OK + ",\"cniVersions\":\"1.1.0\"}", 7,
                        "cniVersions must be an array, got a string"),
                conf("mtu too small", OK + ",\"mtu\":500}", 7, "mtu 500 is outside 576..9001"),
                conf("mtu too big", OK + ",\"mtu\":\"9002\"}", 7, "mtu 9002 is outside"),
                conf("mtu not a number", OK + ",\"mtu\":\"__MTU__\"}", 7, "mtu '__MTU__' is not a number"),
                conf("mtu fractional", OK + ",\"mtu\":1500.5}", 7, "mtu must be an integer"),
                conf("prefix too long", OK + ",\"vethPrefix\":\"abcde\"}", 7,
                        "vethPrefix 'abcde' is invalid: must be 1 to 4"),
                conf("prefix empty", OK + ",\"vethPrefix\":\"\"}", 7, "vethPrefix '' is invalid"),
                conf("prefix reserved", OK + ",\"vethPrefix\":\"eth\"}", 7, "reserved"),
                conf("prefix with colon", OK + ",\"vethPrefix\":\"a:b\"}", 7, "vethPrefix 'a:b'"),
                conf("runtimeConfig not object", OK + ",\"runtimeConfig\":[]}", 7,
                        "runtimeConfig must be an object"),
                conf("prevResult ip not cidr", OK + ",\"prevResult\":{\"ips\":[{\"address\":\"10.0.0.1\"}]}}",
                        7, "prevResult.ips[0]: '10.0.0.1' is not an address in CIDR form"),
                conf("prevResult interface nameless", OK + ",\"prevResult\":{\"interfaces\":[{}]}}", 7,
                        "prevResult.interfaces[0]: name is missing"),
                conf("prevResult route without dst", OK + ",\"prevResult\":{\"routes\":[{\"gw\":\"1.1.1.1\"}]}}",
                        7, "prevResult.routes[0]: dst is missing"),
                conf("prevResult ip version bad", OK + ",\"prevResult\":{\"ips\":[{\"version\":\"5\","
                        + "\"address\":\"10.0.0.1/32\"}]}}", 7, "prevResult.ips[0].version"),
                conf("prevResult bad interface index", OK + ",\"prevResult\":{\"ips\":[{\"interface\":2,"
                        + "\"address\":\"10.0.0.1/32\"}]}}", 7, "refers to interface 2"),
                conf("attachment without ifname", OK + ",\"cni.dev/valid-attachments\":"
                        + "[{\"containerID\":\"c1\"}]}", 7, "cni.dev/valid-attachments[0].ifname"),
                conf("attachments not array", OK + ",\"cni.dev/attachments\":{}}", 7,
                        "cni.dev/attachments must be an array"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void badConfigurationHasItsSpecCode(String name, String stdin, int code, String expected) {
        assertThatThrownBy(() -> NetConf.parse(stdin)).isInstanceOfSatisfying(CniError.class, e -> {
            assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
            assertThat(e.getMessage()).contains(expected);
        });
    }

    private static Arguments env(String name, String var, String value, String expected) {
        Map<String, String> env = CmdArgsTest.fullEnv("ADD");
        if (value == null) {
            env.remove(var);
        } else {
            env.put(var, value);
        }
        return Arguments.of(name, env, expected);
    }

    private static Arguments conf(String name, String stdin, int code, String expected) {
        return Arguments.of(name, stdin, code, expected);
    }
}
