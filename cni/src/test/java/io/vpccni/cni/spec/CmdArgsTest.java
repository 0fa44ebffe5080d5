package io.vpccni.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CmdArgsTest {
    static Map<String, String> fullEnv(String command) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", "3f2a9c0d1e");
        env.put("CNI_NETNS", "/var/run/netns/cni-1234");
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=nginx;"
                + "K8S_POD_INFRA_CONTAINER_ID=3f2a9c0d1e;K8S_POD_UID=7c1e");
        env.put("CNI_PATH", "/opt/cni/bin:/usr/lib/cni");
        return env;
    }

    @Test
    void addParsesEveryVariable() throws CniError {
        CmdArgs a = CmdArgs.fromEnv(fullEnv("ADD"));
        assertThat(a.command()).isEqualTo(CniCommand.ADD);
        assertThat(a.containerId()).isEqualTo("3f2a9c0d1e");
        assertThat(a.netns()).isEqualTo("/var/run/netns/cni-1234");
        assertThat(a.ifName()).isEqualTo("eth0");
        assertThat(a.path()).containsExactly("/opt/cni/bin", "/usr/lib/cni");
        assertThat(a.arg(CmdArgs.K8S_POD_NAMESPACE)).contains("default");
        assertThat(a.arg(CmdArgs.K8S_POD_NAME)).contains("nginx");
        assertThat(a.arg(CmdArgs.K8S_POD_UID)).contains("7c1e");
        assertThat(a.arg("NOPE")).isEmpty();
        assertThat(a.args()).containsKeys("IgnoreUnknown", "K8S_POD_INFRA_CONTAINER_ID");
    }

    @Test
    void requiredTableMatchesSkelPlusSpec11() {
        Set<String> attachment = Set.of("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME",
                "CNI_PATH");
        assertThat(CmdArgs.requiredFor(CniCommand.ADD)).containsExactlyInAnyOrderElementsOf(attachment);
        assertThat(CmdArgs.requiredFor(CniCommand.CHECK)).containsExactlyInAnyOrderElementsOf(attachment);
        assertThat(CmdArgs.requiredFor(CniCommand.DEL))
                .containsExactlyInAnyOrder("CNI_COMMAND", "CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH");
        assertThat(CmdArgs.requiredFor(CniCommand.STATUS)).containsExactlyInAnyOrder("CNI_COMMAND", "CNI_PATH");
        assertThat(CmdArgs.requiredFor(CniCommand.GC)).containsExactlyInAnyOrder("CNI_COMMAND", "CNI_PATH");
        assertThat(CmdArgs.requiredFor(CniCommand.VERSION)).containsExactly("CNI_COMMAND");
    }

    @ParameterizedTest
    @EnumSource(CniCommand.class)
    void eachRequiredVariableIsReportedWhenMissing(CniCommand command) {
        for (String name : CmdArgs.requiredFor(command)) {
            if (name.equals("CNI_COMMAND")) {
                continue;
            }
            Map<String, String> env = fullEnv(command.name());
            env.remove(name);
            assertThatThrownBy(() -> CmdArgs.fromEnv(env)).as(name)
                    .isInstanceOfSatisfying(CniError.class, e -> {
                        assertThat(e.code()).isEqualTo(CniError.INVALID_ENVIRONMENT);
                        assertThat(e.msg()).contains(name).contains(command.name());
                    });
        }
    }

    @ParameterizedTest
    @EnumSource(CniCommand.class)
    void onlyCniCommandIsNeededWhereNothingElseIsRequired(CniCommand command) throws CniError {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command.name());
        for (String name : CmdArgs.requiredFor(command)) {
            env.putIfAbsent(name, fullEnv(command.name()).get(name));
        }
        assertThat(CmdArgs.fromEnv(env).command()).isEqualTo(command);
    }

    @Test
    void delWithoutNetnsIsAccepted() throws CniError {
        Map<String, String> env = fullEnv("DEL");
        env.remove("CNI_NETNS");
        assertThat(CmdArgs.fromEnv(env).netns()).isEmpty();
    }

    @Test
    void allMissingVariablesAreNamedAtOnce() {
        assertThatThrownBy(() -> CmdArgs.fromEnv(Map.of("CNI_COMMAND", "ADD")))
                .isInstanceOfSatisfying(CniError.class, e -> assertThat(e.msg())
                        .contains("CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH"));
    }

    @Test
    void argsToleratesEmptySegmentsAndEqualsInValues() throws CniError {
        assertThat(CmdArgs.parseArgs("A=1;;B=x=y;")).containsExactly(
                Map.entry("A", "1"), Map.entry("B", "x=y"));
        assertThat(CmdArgs.parseArgs("")).isEmpty();
    }

    @Test
    void containerIdsAndIfNamesWithinTheRulesAreAccepted() throws CniError {
        for (String id : List.of("a", "0", "abc_def.ghi-jkl", "A1-")) {
            Map<String, String> env = fullEnv("ADD");
            env.put("CNI_CONTAINERID", id);
            assertThat(CmdArgs.fromEnv(env).containerId()).isEqualTo(id);
        }
        for (String ifName : List.of("eth0", "a", "net1.100", "x".repeat(15), "é")) {
            Map<String, String> env = fullEnv("ADD");
            env.put("CNI_IFNAME", ifName);
            assertThat(CmdArgs.fromEnv(env).ifName()).isEqualTo(ifName);
        }
    }

    @Test
    void gcAndStatusIgnoreAttachmentVariables() throws CniError {
        Map<String, String> env = fullEnv("GC");
        env.put("CNI_IFNAME", "bad/name");
        assertThat(CmdArgs.fromEnv(env).command()).isEqualTo(CniCommand.GC);
    }
}
