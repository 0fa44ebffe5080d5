package io.vpccni.it.vpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the container runtime does on a node: runs the real packaged plugin for a pod's namespace, inside the node's
 * namespace (so the plugin's "host" is the node), with the node's ipamd socket. Through cnitool, the CNI project's
 * own runtime client, when it is installed; otherwise by running the plugin directly the way cnitool would.
 */
public final class CniRuntime {

    public static final String NETWORK = "vpc-net";
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    static final Path CNITOOL = Path.of(System.getProperty("vpccni.cnitool", "/opt/cnitool/bin/cnitool"));

    /**
     * The ADD result's essentials: the pod's address and, from the interface's {@code mac}, its route table; and how
     * many ADDs failed before this one (the pool was still growing).
     */
    public record Attachment(String ip, int routeTable, int retries) {
        /**
         * Device index of the ENI the address is on: the {@code mac} holds aws-vpc-cni's route table id, N+1 for
         * index N (1 for the primary ENI; results of earlier builds of ours said 254, main, there).
         */
        public int deviceIndex() {
            return routeTable == 254 ? 0 : routeTable - 1;
        }
    }

    private final Namespace node;
    private volatile Path pluginDir;
    private final Path confDir;
    private final Path socket;
    private final Path pluginLog;
    private final ObjectMapper json = new ObjectMapper();
    private volatile boolean viaCnitool = usesCnitool();
    // Concurrent: a node's pods are churned on one thread and may be torn down on another.
    private final Map<String, String> prevResults = new java.util.concurrent.ConcurrentHashMap<>();

    CniRuntime(Namespace node, Path pluginDir, Path nodeDir, Path socket) throws IOException {
        this.node = node;
        this.pluginDir = pluginDir;
        this.socket = socket;
        this.pluginLog = nodeDir.resolve("plugin.log");
        this.confDir = Files.createDirectories(nodeDir.resolve("net.d"));
        Files.writeString(confDir.resolve("10-vpc.conflist"), "{\"cniVersion\":\"1.1.0\",\"name\":\"" + NETWORK
                + "\",\"plugins\":[" + plugin() + "]}");
    }

    /** The packaged plugin layout built by {@code mvn install} ({@code cni/target/plugin}), found from here up. */
    public static Path findPluginDir() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path plugin = dir.resolve("cni/target/plugin/bin/vpc-cni");
            if (Files.isExecutable(plugin)) {
                return plugin.getParent();
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("cni/target/plugin/bin/vpc-cni not found above " + Path.of("").toAbsolutePath()
                + "; run mvn install first");
    }

    public static boolean usesCnitool() {
        return Files.isExecutable(CNITOOL);
    }

    /**
     * From now on runs the plugin directly even where cnitool is installed: the same plugin and configuration,
     * one process fewer per call, for tests that make thousands of calls on a small machine.
     */
    void runPluginDirectly() {
        viaCnitool = false;
    }

    /**
     * From now on runs the plugin installed in {@code cniBin} (its {@code vpc-cni} entry point, as the node's
     * installer lays it out) instead of the build's layout.
     */
    public void runInstalledPlugin(Path cniBin) {
        pluginDir = cniBin;
    }

    /**
     * CNI ADD, retried the way kubelet retries a failed sandbox (DEL, then ADD again) for up to {@code patience}:
     * an ADD fails with "try again later" while the pool is still growing.
     */
    public Attachment add(PodNs pod, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        for (int retries = 0; ; retries++) {
            Exec.Result result = run("ADD", pod, Optional.empty());
            if (result.ok()) {
                prevResults.put(pod.name(), result.stdout());
                return parse(pod, result.stdout(), retries);
            }
            if (System.nanoTime() > deadline) {
                result.orThrow();
            }
            run("DEL", pod, Optional.empty());
            Thread.sleep(RETRY_PAUSE);
        }
    }

    private Attachment parse(PodNs pod, String stdout, int retries) {
        try {
            JsonNode reply = json.readTree(stdout);
            JsonNode ip = reply.path("ips").get(0);
            String address = ip.path("address").asText();
            JsonNode container = reply.path("interfaces").get(ip.path("interface").asInt(1));
            return new Attachment(address.substring(0, address.indexOf('/')),
                    Integer.parseInt(container.path("mac").asText()), retries);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("unexpected ADD result for " + pod.name() + ": " + stdout, e);
        }
    }

    /** CNI DEL; the ADD result is kept until a DEL succeeds, so a retried DEL still carries its prevResult. */
    public Exec.Result del(PodNs pod) {
        Exec.Result result = run("DEL", pod, Optional.ofNullable(prevResults.get(pod.name())));
        if (result.ok()) {
            prevResults.remove(pod.name());
        }
        return result;
    }

    private Exec.Result run(String verb, PodNs pod, Optional<String> prevResult) {
        Map<String, String> env = new HashMap<>();
        env.put("VPC_CNI_SOCKET", socket.toString());
        env.put("CNI_PATH", pluginDir + ":/usr/lib/cni");
        String args = "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + pod.name()
                + ";K8S_POD_INFRA_CONTAINER_ID=" + pod.containerId();
        env.put("CNI_ARGS", args);
        if (viaCnitool) {
            env.put("NETCONFPATH", confDir.toString());
            return node.exec(env, null, List.of(CNITOOL.toString(), verb.toLowerCase(), NETWORK,
                    pod.namespace().path().toString()));
        }
        env.put("CNI_COMMAND", verb);
        env.put("CNI_CONTAINERID", pod.containerId());
        env.put("CNI_NETNS", pod.namespace().path().toString());
        env.put("CNI_IFNAME", "eth0");
        String config = pluginConfig(prevResult);
        return node.exec(env, config, List.of(pluginDir.resolve("vpc-cni").toString()));
    }

    /** The network configuration a runtime passes for a single plugin: the conflist's entry plus name and version. */
    private String pluginConfig(Optional<String> prevResult) {
        String entry = plugin();
        return "{\"cniVersion\":\"1.1.0\",\"name\":\"" + NETWORK + "\"," + entry.substring(1, entry.length() - 1)
                + prevResult.map(p -> ",\"prevResult\":" + p).orElse("") + "}";
    }

    private String plugin() {
        return "{\"type\":\"vpc-cni\",\"vethPrefix\":\"eni\",\"mtu\":\"9001\",\"pluginLogFile\":\"" + pluginLog
                + "\",\"pluginLogLevel\":\"DEBUG\"}";
    }
}
