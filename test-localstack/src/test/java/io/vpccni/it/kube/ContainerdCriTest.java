package io.vpccni.it.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpccni.it.vpc.Exec;
import io.vpccni.it.vpc.SimulatedNodeNs;
import io.vpccni.it.vpc.Teardown;
import io.vpccni.it.vpc.VpcBox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What kubelet cannot be made to do on cue, done to a real containerd through its CRI with crictl, as regressions of
 * the two bugs Kubernetes in the box found: one simulated node of VPC in a box with the harness's ipamd (started with
 * {@code ip netns exec}: a mount namespace of its own) and, in the node's network namespace and a mount namespace of
 * the node's ({@link KubeNode#startRuntime}, no kubelet), a containerd whose CNI configuration runs our shim against
 * that ipamd's plugin server.
 *
 * <ul>
 *   <li>containerd mounts the pod's namespace on /run/netns/cni-* in its own mount namespace only: ipamd's sees the
 *       empty placeholder file. The ADD must still be served (the shim passes the namespace as a descriptor), never
 *       fail with EINVAL on a link created in the wrong namespace.</li>
 *   <li>the runtime's deadline passes mid-ADD: containerd SIGKILLs the shim and sends DEL. The ADD the shim had
 *       already sent must never run beside the DEL, and, its shim gone, must be undone whether it runs before the
 *       DEL or after it: no leaked address, no leftover rule 512, no sandbox left.</li>
 * </ul>
 */
@Tag("privileged")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerdCriTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CRI_TIMEOUT = Duration.ofSeconds(60);
    /** The log's timestamps and durations are whole milliseconds, each rounded. */
    private static final long TIMESTAMP_SLACK_MS = 2;

    private final Teardown teardown = new Teardown();
    private long classStarted;
    private KubeTools tools;
    private VpcBox box;
    private SimulatedNodeNs node;
    private KubeNode runtime;
    private Set<String> podNetnsBefore;

    @BeforeAll
    void startNodeWithContainerd() throws Exception {
        classStarted = System.nanoTime();
        tools = KubeTools.requireWithCrictlForTest();
        podNetnsBefore = KubeInABox.podNetnsNames();
        List<Path> images = List.of(KubeImages.pause(tools, ContainerdCriTest::log));
        box = VpcBox.start(List.of(new VpcBox.NodeSpec("cri", "t3.large", Map.of())), ContainerdCriTest::log);
        node = box.nodes().getFirst();
        String tag = Long.toString(ProcessHandle.current().pid(), 36) + Long.toString(System.nanoTime() % 46656, 36);
        // The shim finds the daemon's socket in the environment the runtime gives its plugins.
        runtime = KubeNode.startRuntime(teardown, tools, node, "cri", images, tag,
                Map.of("VPC_CNI_SOCKET", node.dir().resolve("ipamd.sock").toString()));
        Path shim = io.vpccni.it.vpc.CniRuntime.findPluginDir().resolve("vpc-cni");
        // A link, not a copy: the shim finds the standalone plugin beside its real path.
        Files.createSymbolicLink(runtime.hostPath("/opt/cni/bin").resolve("vpc-cni"), shim);
        Files.writeString(runtime.hostPath("/etc/cni/net.d").resolve("10-vpc-cni.conflist"), """
                {"cniVersion": "1.0.0", "name": "aws-cni", "plugins": [
                  {"type": "vpc-cni", "vethPrefix": "eni", "mtu": "9001", "pluginLogFile": "%s",
                   "pluginLogLevel": "DEBUG"},
                  {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}]}
                """.formatted(node.dir().resolve("plugin.log")));
        awaitNetworkReady();
        log(String.format("node with containerd up in %.1f s", (System.nanoTime() - classStarted) / 1e9));
    }

    @AfterAll
    void stop() throws IOException {
        teardown.close();
        if (box != null) {
            box.close();
        }
        KubeInABox.removeDeadPodNetns(podNetnsBefore);
        log(String.format("class done in %.1f s", (System.nanoTime() - classStarted) / 1e9));
    }

    private static void log(String line) {
        System.out.println("[cri] " + line);
    }

    @Test
    @Order(1)
    void aPodNamespaceMountedOnlyWhereTheRuntimeRunsIsServedByIpamd() throws Exception {
        long served = node.pluginServerInvocations();
        String sandbox = runPod("served", CRI_TIMEOUT).orThrow().stdout().strip();
        JsonNode inspected = JSON.readTree(runtime.crictl(tools, CRI_TIMEOUT, "inspectp", "-o", "json", sandbox)
                .orThrow().stdout());
        String ip = inspected.path("status").path("network").path("ip").asText();
        String netns = networkNamespacePath(inspected);
        // The bug's condition: where ipamd runs, containerd's name for the namespace is an empty file, no mount.
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).as("%s mounted where the test runs", netns)
                .doesNotContain(" " + netns + " ");
        assertThat(Path.of(netns)).as("the placeholder").isEmptyFile();
        assertThat(node.pluginServerInvocations()).as("invocations served by ipamd's plugin server")
                .isGreaterThan(served);
        assertThat(ip).as("the sandbox's address").isNotEmpty();
        assertThat(pool().path("addresses").path("assigned").asLong()).isEqualTo(1);
        node.namespace().exec(Map.of(), null, List.of("ping", "-c1", "-W2", ip)).orThrow();
        assertThat(ipamdLog()).doesNotContain("EINVAL").doesNotContain("is not visible to the daemon");

        runtime.crictl(tools, CRI_TIMEOUT, "stopp", sandbox).orThrow();
        runtime.crictl(tools, CRI_TIMEOUT, "rmp", sandbox).orThrow();
        awaitNothingAssigned(Duration.ofSeconds(30));
        assertThat(node.namespace().ip("rule", "show")).doesNotContain(ip + " ");
    }

    @Test
    @Order(2)
    void anAddWhoseShimTheDeadlineKilledIsUndoneBeforeTheDelThatFollows() throws Exception {
        long ipamd = node.ipamd().pid();
        // ipamd stopped: the ADD the shim sends stays unanswered past crictl's deadline, which containerd passes to
        // the plugin's process (killed) and then tears the sandbox down with a DEL, also unanswered until ipamd runs.
        Exec.run(Map.of(), null, List.of("kill", "-STOP", Long.toString(ipamd))).orThrow();
        Exec.Result run;
        try {
            run = runPod("deadline", Duration.ofSeconds(5));
            awaitShim("DEL", Duration.ofSeconds(30));
        } finally {
            Exec.run(Map.of(), null, List.of("kill", "-CONT", Long.toString(ipamd))).orThrow();
        }
        assertThat(run.ok()).as("crictl runp past its deadline: %s", run.stderr()).isFalse();
        awaitNoShim(Duration.ofSeconds(60));
        awaitNothingAssigned(Duration.ofSeconds(60));
        assertThat(node.namespace().ip("rule", "show").lines().filter(l -> l.startsWith("512:")).toList())
                .as("pod rules left").isEmpty();
        assertThat(node.namespace().ip("-o", "link", "show").lines().filter(l -> l.contains(": eni")).toList())
                .as("host veths left").isEmpty();
        String log = ipamdLog();
        java.util.regex.Matcher undone = java.util.regex.Pattern.compile(
                "cni ADD of container (\\S+) finished after its shim was gone").matcher(log);
        assertThat(undone.find()).as("an ADD undone because its shim was gone, in ipamd's log").isTrue();
        // Which of the two the server reads first is a race (the ADD's shim is dead by then); that they never
        // overlap is not: each invocation's end and length, from the server's log, as intervals in time.
        List<long[]> runs = invocations(log, undone.group(1));
        assertThat(runs).as("invocations of container %s", undone.group(1)).hasSizeGreaterThanOrEqualTo(2);
        for (int i = 1; i < runs.size(); i++) {
            assertThat(runs.get(i)[0]).as("invocation %d of %s starts after the one before it ended", i + 1,
                    undone.group(1)).isGreaterThanOrEqualTo(runs.get(i - 1)[1] - TIMESTAMP_SLACK_MS);
        }
        assertThat(runtime.crictl(tools, CRI_TIMEOUT, "pods", "-q").orThrow().stdout().strip())
                .as("sandboxes left").isEmpty();
    }

    /**
     * The plugin server's invocations of {@code container} as [start, end] in epoch ms, by start: its log line at
     * the end of each ("cni ADD container ID exit 0 in 19 ms").
     */
    private static List<long[]> invocations(String log, String container) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^(\\S+) DEBUG PluginServer: cni [A-Z]+ "
                + "container " + container + " exit -?\\d+ in (\\d+) ms").matcher(log);
        List<long[]> runs = new java.util.ArrayList<>();
        while (m.find()) {
            long end = java.time.Instant.parse(m.group(1)).toEpochMilli();
            runs.add(new long[] {end - Long.parseLong(m.group(2)), end});
        }
        runs.sort(java.util.Comparator.comparingLong(r -> r[0]));
        return runs;
    }

    private Exec.Result runPod(String name, Duration timeout) throws IOException {
        Path config = runtime.dir().resolve("pod-" + name + ".json");
        Files.writeString(config, """
                {"metadata": {"name": "%s", "namespace": "default", "uid": "uid-%s", "attempt": 0},
                 "log_directory": "/var/log/pods/%s",
                 "linux": {"cgroup_parent": "%s/pod-%s"}}
                """.formatted(name, name, name, runtime.cgroupParent(), name));
        return runtime.crictl(tools, timeout, "runp", config.toString());
    }

    private static String networkNamespacePath(JsonNode inspected) {
        for (JsonNode ns : inspected.path("info").path("runtimeSpec").path("linux").path("namespaces")) {
            if ("network".equals(ns.path("type").asText())) {
                return ns.path("path").asText();
            }
        }
        throw new AssertionError("no network namespace in " + inspected.path("info").path("runtimeSpec"));
    }

    private void awaitNetworkReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Exec.Result status = runtime.crictl(tools, CRI_TIMEOUT, "info");
            if (status.ok()) {
                for (JsonNode condition : JSON.readTree(status.stdout()).path("status").path("conditions")) {
                    if ("NetworkReady".equals(condition.path("type").asText()) && condition.path("status").asBoolean()) {
                        return;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("containerd's network not ready after 60 s: " + status.stdout()
                        + status.stderr());
            }
            Thread.sleep(500);
        }
    }

    /** Waits until a shim of this node runs {@code command} (from its environment). */
    private void awaitShim(String command, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (shims().stream().noneMatch(command::equals)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + command + " from containerd after " + timeout.toSeconds() + " s: "
                        + runtime.containerd().tail(20));
            }
            Thread.sleep(100);
        }
    }

    private void awaitNoShim(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!shims().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("shims still running after " + timeout.toSeconds() + " s: " + shims());
            }
            Thread.sleep(200);
        }
    }

    /** The CNI_COMMAND of every shim process running now (ours: its executable is the packaged vpc-cni). */
    private static List<String> shims() {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).flatMap(p -> {
                try {
                    String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ').strip();
                    if (!cmdline.endsWith("/vpc-cni")) {
                        return Stream.empty();
                    }
                    return Stream.of(Files.readString(p.resolve("environ")).split("\0"))
                            .filter(e -> e.startsWith("CNI_COMMAND=")).map(e -> e.substring("CNI_COMMAND=".length()));
                } catch (IOException gone) {
                    return Stream.empty();
                }
            }).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void awaitNothingAssigned(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pool().path("addresses").path("assigned").asLong() != 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("addresses still assigned after " + timeout.toSeconds() + " s: "
                        + pool().path("addresses") + "\n" + ipamdLog().lines().skip(Math.max(0,
                        ipamdLog().lines().count() - 30)).reduce("", (a, b) -> a + b + "\n"));
            }
            Thread.sleep(500);
        }
    }

    private JsonNode pool() throws IOException {
        return JSON.readTree(node.namespace().exec(Map.of(), null, List.of("curl", "-sS", "--max-time", "5",
                "http://127.0.0.1:61679/v1/pool")).orThrow().stdout());
    }

    private String ipamdLog() throws IOException {
        Path log = node.dir().resolve("ipamd.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }
}
