package io.vpccni.it.vpc;

import io.vpccni.it.ScratchDirectory;
import io.vpccni.it.imds.TestImds;
import io.vpccni.netlink.api.Addr;
import io.vpccni.netlink.ip.Ipv4Address;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * One simulated node: a network namespace for an emulator instance, its ENIs wired in by the {@link Fabric}, its
 * instance metadata on 169.254.169.254 inside the namespace, the real ipamd running in it, and a
 * {@link CniRuntime} that wires pods with the real plugin. Reaches EC2 only through the fabric, as a node does.
 */
public final class SimulatedNodeNs {

    static final String IMDS_ADDRESS = "169.254.169.254";

    private final int index;
    private final String name;
    private final String instanceId;
    private final Namespace ns;
    private final Path dir;
    private final Map<String, String> env = new HashMap<>();
    private CniRuntime cni;
    private IpamdProcess ipamd;

    private SimulatedNodeNs(int index, String name, String instanceId, Namespace ns, Path dir) {
        this.index = index;
        this.name = name;
        this.instanceId = instanceId;
        this.ns = ns;
        this.dir = dir;
    }

    /**
     * Creates the node's namespace and its instance metadata; everything is registered with {@code teardown}.
     *
     * @param ec2Endpoint where ipamd reaches EC2 (an address the fabric serves)
     * @param settings    extra ipamd environment (e.g. WARM_IP_TARGET)
     */
    static SimulatedNodeNs create(Teardown teardown, int index, String name, String nsName, Ec2Client raw,
                                  String instanceId, URI ec2Endpoint, Map<String, String> settings)
            throws IOException {
        Namespace ns = teardown.add("namespace " + nsName, Namespace.create(nsName));
        ns.sysctl("net.ipv4.ip_forward", "1");
        Path dir = ScratchDirectory.create("vpccni-" + name + "-");
        teardown.add("directory " + dir, dir, () -> ScratchDirectory.delete(dir));
        // The link-local metadata address is local to each instance; here a loopback address of the node.
        int lo = ns.netlink().linkByName("lo").orElseThrow().index();
        ns.netlink().addAddress(lo, new Addr(Ipv4Address.parse(IMDS_ADDRESS).toInet(), 32));
        TestImds imds = teardown.add("IMDS of " + name, TestImds.start(raw, instanceId));
        InetSocketAddress served = new InetSocketAddress("127.0.0.1", imds.endpoint().getPort());
        teardown.add("IMDS endpoint of " + name, EndpointProxy.start(ns, new InetSocketAddress(IMDS_ADDRESS, 80),
                served));

        Path socket = dir.resolve("ipamd.sock");
        SimulatedNodeNs node = new SimulatedNodeNs(index, name, instanceId, ns, dir);
        node.env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://" + IMDS_ADDRESS);
        node.env.put("AWS_ENDPOINT_URL_EC2", ec2Endpoint.toString());
        node.env.put("AWS_ACCESS_KEY_ID", "test");
        node.env.put("AWS_SECRET_ACCESS_KEY", "test");
        node.env.put("VPC_CNI_SOCKET", socket.toString());
        node.env.put("AWS_VPC_K8S_CNI_BACKING_STORE", dir.resolve("ipam.json").toString());
        node.env.put("AWS_VPC_K8S_CNI_LOG_FILE", dir.resolve("ipamd.log").toString());
        node.env.put("AWS_VPC_K8S_PLUGIN_LOG_FILE", dir.resolve("plugin.log").toString());
        // Each node has its own loopback, so every ipamd can use the standard ports.
        node.env.put("INTROSPECTION_BIND_ADDRESS", "127.0.0.1:61679");
        node.env.put("METRICS_BIND_ADDRESS", "127.0.0.1:61678");
        node.env.put("DISABLE_LEAKED_ENI_CLEANUP", "true");
        node.env.putAll(settings);
        return node;
    }

    /** Starts the real ipamd in the namespace and waits until it is ready to serve pods. */
    void startIpamd(Teardown teardown) throws IOException, InterruptedException {
        ipamd = new IpamdProcess(ns, env, dir.resolve("ipamd.out"));
        teardown.add("ipamd of " + name, ipamd);
        ipamd.start(Duration.ofSeconds(90));
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    public String instanceId() {
        return instanceId;
    }

    public Namespace namespace() {
        return ns;
    }

    public Path dir() {
        return dir;
    }

    public IpamdProcess ipamd() {
        return ipamd;
    }

    /**
     * The harness's container runtime on this node, made on first use: it needs the packaged plugin, which a node
     * whose pods a real runtime wires (Kubernetes in the box) does not.
     */
    public synchronized CniRuntime cni() {
        if (cni == null) {
            try {
                cni = new CniRuntime(ns, CniRuntime.findPluginDir(), dir, dir.resolve("ipamd.sock"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot set up the CNI runtime of " + name, e);
            }
        }
        return cni;
    }

    /**
     * CNI invocations this node's ipamd has run in its plugin server since it started, from its metrics endpoint
     * (inside the node, where it listens on the standard port).
     */
    public long pluginServerInvocations() {
        String metrics = ns.exec(Map.of(), null, List.of("curl", "-fsS", "--max-time", "5",
                "http://127.0.0.1:61678/metrics")).orThrow().stdout();
        return metrics.lines().filter(l -> l.startsWith("awscni_plugin_server_invocations "))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new IllegalStateException(name + "'s ipamd reports no plugin server"));
    }

    @Override
    public String toString() {
        return name;
    }
}
