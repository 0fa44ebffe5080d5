package io.vpccni.cni.plugin;

import io.vpccni.cni.testing.Conf;
import io.vpccni.cni.testing.PluginCall;
import io.vpccni.netlink.testing.Shell;
import io.vpccni.netlink.testing.ScratchNetns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Bad input through the whole process: each case prints the spec's error object with its code on
 * stdout, exits non-zero, takes no address and leaves the node namespace exactly as it was. Here
 * the shim runs the standalone plugin; {@link ServedBadInputIT} has the plugin server answer.
 */
@Tag("privileged")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT {
    private ProcessFixture f;
    private ScratchNetns pod;

    boolean pluginServer() {
        return false;
    }

    @BeforeAll
    void node() throws Exception {
        Shell.assumePrivileged();
        f = new ProcessFixture(pluginServer());
        pod = f.pod();
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private static final String V = "1.0.0";

    static Stream<Arguments> cases() {
        UnaryOperator<PluginCall> same = c -> c;
        return Stream.of(
                arguments("malformed JSON", same, "{\"cniVersion\":", 6),
                arguments("not an object", same, "[]", 6),
                arguments("empty stdin", same, "", 6),
                arguments("trailing data", same, Conf.of(V) + " x", 6),
                arguments("duplicate field", same, Conf.of(V, ",\"name\":\"again\""), 6),
                arguments("missing CNI_COMMAND", (UnaryOperator<PluginCall>) c -> c.without("CNI_COMMAND"), Conf.of(V), 4),
                arguments("unknown CNI_COMMAND", (UnaryOperator<PluginCall>) c -> c.set("CNI_COMMAND", "FOO"), Conf.of(V), 4),
                arguments("missing CNI_CONTAINERID", (UnaryOperator<PluginCall>) c -> c.without("CNI_CONTAINERID"), Conf.of(V), 4),
                arguments("missing CNI_NETNS", (UnaryOperator<PluginCall>) c -> c.without("CNI_NETNS"), Conf.of(V), 4),
                arguments("missing CNI_IFNAME", (UnaryOperator<PluginCall>) c -> c.without("CNI_IFNAME"), Conf.of(V), 4),
                arguments("missing CNI_PATH", (UnaryOperator<PluginCall>) c -> c.without("CNI_PATH"), Conf.of(V), 4),
                arguments("invalid container id", (UnaryOperator<PluginCall>) c -> c.set("CNI_CONTAINERID", "-bad id"), Conf.of(V), 4),
                arguments("ifname too long", (UnaryOperator<PluginCall>) c -> c.set("CNI_IFNAME", "eth0123456789abcdef"), Conf.of(V), 4),
                arguments("CNI_ARGS pair without '='", (UnaryOperator<PluginCall>) c -> c.set("CNI_ARGS", "K8S_POD_NAME"), Conf.of(V), 4),
                arguments("CNI_ARGS without the pod", (UnaryOperator<PluginCall>) c -> c.set("CNI_ARGS", "IgnoreUnknown=1"), Conf.of(V), 4),
                arguments("netns does not exist", (UnaryOperator<PluginCall>) c -> c.set("CNI_NETNS", "/var/run/netns/vpccni-cni-none"), Conf.of(V), 4),
                arguments("unknown cniVersion", same, Conf.of("9.9.9"), 1),
                arguments("cniVersion not a version", same, Conf.of("abc"), 7),
                arguments("missing cniVersion", same, "{\"name\":\"n\",\"type\":\"vpc-cni\"}", 7),
                arguments("missing name", same, "{\"cniVersion\":\"1.0.0\",\"type\":\"vpc-cni\"}", 7),
                arguments("missing type", same, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", 7),
                arguments("vethPrefix too long", same, Conf.of(V).replace("\"vethPrefix\":\"eni\"", "\"vethPrefix\":\"toolong\""), 7),
                arguments("vethPrefix reserved", same, Conf.of(V).replace("\"vethPrefix\":\"eni\"", "\"vethPrefix\":\"eth\""), 7),
                arguments("mtu below 576", same, Conf.of(V).replace("\"9001\"", "100"), 7),
                arguments("mtu above 9001", same, Conf.of(V).replace("\"9001\"", "10000"), 7),
                arguments("mtu not a number", same, Conf.of(V).replace("\"9001\"", "\"jumbo\""), 7),
                arguments("CHECK under 0.3.1", (UnaryOperator<PluginCall>) c -> c.set("CNI_COMMAND", "CHECK"), Conf.of("0.3.1"), 1),
                arguments("STATUS under 1.0.0", (UnaryOperator<PluginCall>) c -> c.set("CNI_COMMAND", "STATUS"), Conf.of(V), 1),
                arguments("GC under 0.4.0", (UnaryOperator<PluginCall>) c -> c.set("CNI_COMMAND", "GC"), Conf.of("0.4.0"), 1),
                arguments("CHECK without prevResult", (UnaryOperator<PluginCall>) c -> c.set("CNI_COMMAND", "CHECK"), Conf.of(V), 7),
                arguments("prevResult with a bad address", (UnaryOperator<PluginCall>) c -> c.set("CNI_COMMAND", "DEL"),
                        Conf.withPrev(V, "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.300/32\"}]}"), 7));
    }

    @ParameterizedTest(name = "{0} -> code {3}")
    @MethodSource("cases")
    void answersWithTheSpecCodeAndLeavesTheNodeUnchanged(String name, UnaryOperator<PluginCall> change,
            String stdin, int code) {
        String before = f.node.snapshot();
        PluginCall call = change.apply(PluginCall.of("ADD", "bad-input", pod.path(), "pod-bad"));

        Shell.Result r = f.plugin(call.env(), stdin);

        assertThat(r.exit()).as(r.stdout()).isNotZero();
        assertThat(r.stdout()).matches("\\{\"cniVersion\":\"[0-9.]+\",\"code\":" + code + ",\"msg\":\".+\"(,\"details\":\".*\")?}");
        assertThat(f.node.snapshot()).isEqualTo(before);
        assertThat(f.ipamd.assignedIps()).isEmpty();
    }

    /**
     * CNI_NETNS naming something other than a pod's network namespace: the node's own (the plugin's host
     * namespace, and for the standalone plugin its own), a regular file, a FIFO (whose open would block), a
     * directory, another kind of namespace. ADD and DEL both answer code 4 before anything is done, in time, and
     * no thread of the plugin server is left behind.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ADD,node", "DEL,node", "ADD,file", "DEL,file", "ADD,fifo", "DEL,fifo", "ADD,directory",
            "DEL,directory", "ADD,uts"})
    void aNetnsThatIsNotAPodsNetworkNamespaceIsRefusedAndChangesNothing(String verb, String kind) throws Exception {
        Path scratch = Files.createTempDirectory("vpccni-cni-badnetns");
        try {
            String netns = switch (kind) {
                case "node" -> f.node.path();
                case "file" -> Files.writeString(scratch.resolve("file"), "x").toString();
                case "fifo" -> {
                    Shell.run("mkfifo", scratch.resolve("fifo").toString());
                    yield scratch.resolve("fifo").toString();
                }
                case "directory" -> scratch.toString();
                case "uts" -> "/proc/1/ns/uts";
                default -> throw new IllegalArgumentException(kind);
            };
            String before = f.node.snapshot();
            String podBefore = pod.snapshot();
            String conf = verb.equals("DEL")
                    ? Conf.withPrev(V, "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.10/32\"}]}")
                    : Conf.of(V);

            Shell.Result r = f.plugin(PluginCall.of(verb, "bad-netns", netns, "pod-bad").env(), conf);

            assertThat(r.exit()).as(r.stdout() + r.stderr()).isNotZero();
            assertThat(r.stdout()).contains("\"code\":4").contains("CNI_NETNS " + netns);
            assertThat(f.node.snapshot()).isEqualTo(before);
            assertThat(pod.snapshot()).isEqualTo(podBefore);
            assertThat(f.ipamd.assignedIps()).isEmpty();
            long deadline = System.nanoTime() + 2_000_000_000L; // a worker ends just after its reply is handed over
            while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().matches("cni-plugin-[0-9]+"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().matches("cni-plugin-[0-9]+"));
        } finally {
            Shell.run("rm", "-rf", scratch.toString());
        }
    }

    /** A newline in CNI_ARGS (logged at DEBUG with the invocation) is escaped: it cannot forge a log line. */
    @org.junit.jupiter.api.Test
    void aForgedNewlineInCniArgsAppearsEscapedInThePluginLog() throws Exception {
        Path log = Files.createTempDirectory("vpccni-cni-forged").resolve("plugin.log");
        try {
            String before = f.node.snapshot();
            String conf = Conf.of(V, ",\"pluginLogFile\":\"" + log + "\"");
            String forged = "K8S_POD_NAMESPACE=default;K8S_POD_NAME=a\n2026-01-01T00:00:00.000Z ERROR [1] forged";
            Shell.Result add = f.plugin(PluginCall.of("ADD", "forged", pod.path(), "pod-forged")
                    .set("CNI_ARGS", forged).env(), conf);
            Shell.Result del = f.plugin(PluginCall.of("DEL", "forged", pod.path(), "pod-forged")
                    .set("CNI_ARGS", forged).env(), add.exit() == 0 ? Conf.withPrev(V, add.stdout()) : conf);
            assertThat(del.exit()).as(del.stdout() + del.stderr()).isZero();

            List<String> lines = Files.readAllLines(log);
            assertThat(lines).noneMatch(l -> l.startsWith("2026-01-01T00:00:00.000Z"))
                    .anyMatch(l -> l.contains("K8S_POD_NAME=a\\n2026-01-01T00:00:00.000Z ERROR [1] forged"));
            assertThat(f.ipamd.assignedIps()).isEmpty();
            assertThat(f.node.snapshot()).isEqualTo(before);
        } finally {
            Shell.run("rm", "-rf", log.getParent().toString());
        }
    }
}
