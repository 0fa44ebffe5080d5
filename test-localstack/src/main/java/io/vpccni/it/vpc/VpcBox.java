package io.vpccni.it.vpc;

import io.vpccni.it.localstack.LocalStack;
import io.vpccni.it.localstack.TestVpc;
import io.vpccni.netlink.ip.Ipv4Address;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * A VPC in a box: LocalStack as the EC2 control plane, a {@link Fabric} namespace as the VPC router, and nodes in
 * namespaces of their own, each with an emulator instance, instance metadata, the real ipamd and the real plugin.
 * Nothing connects to the root namespace; EC2 is reached through an endpoint inside the fabric.
 *
 * <p>Closing undoes everything in reverse order; so does a JVM shutdown (Ctrl-C), and a failed start.
 */
public final class VpcBox implements AutoCloseable {

    /** A node to start: a name for people, the emulator instance type, and extra ipamd settings. */
    public record NodeSpec(String name, String instanceType, Map<String, String> settings) {}

    /** An address beyond the VPC CIDR (TEST-NET-2, never routed anywhere), on the fabric's loopback. */
    public static final String OUTSIDE = "198.51.100.7";
    static final int EC2_PORT = 4566;

    private final Teardown teardown;
    private final Consumer<String> progress;
    private final String tag;
    private final Ec2Client raw;
    private final TestVpc vpc;
    private final Fabric fabric;
    private final FabricReconciler reconciler;
    private final String endpointAddress;
    private final List<SimulatedNodeNs> nodes = new ArrayList<>();
    private final List<PodNs> pods = new ArrayList<>();
    private final AtomicInteger podCount = new AtomicInteger();
    private final java.util.Set<String> serviceAddresses = new java.util.HashSet<>();

    private VpcBox(Teardown teardown, List<NodeSpec> specs, Consumer<String> progress, boolean startIpamd)
            throws IOException, InterruptedException {
        this.teardown = teardown;
        this.progress = progress;
        this.tag = ProcessHandle.current().pid() + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current()
                .nextInt());
        LocalStack.ensureRunning();
        raw = LocalStack.rawClient();
        vpc = teardown.add("emulator VPC", TestVpc.create(raw));
        progress.accept("VPC " + vpc.vpcId() + " " + vpc.cidr() + " in the emulator");

        fabric = teardown.add("fabric", Fabric.create("vpccni-fab-" + tag));
        String octets = vpc.cidr().substring(0, vpc.cidr().indexOf(".0.0/"));
        endpointAddress = octets + ".255.254";
        fabric.addLoopbackAddress(Ipv4Address.parse(endpointAddress).toInet());
        fabric.addLoopbackAddress(Ipv4Address.parse(OUTSIDE).toInet());
        teardown.add("EC2 endpoint", EndpointProxy.start(fabric.namespace(),
                new InetSocketAddress(endpointAddress, EC2_PORT),
                new InetSocketAddress(LocalStack.ENDPOINT.getHost(), LocalStack.ENDPOINT.getPort())));
        teardown.add("outside host's server", PeerEcho.listen(fabric.namespace()));
        reconciler = new FabricReconciler(raw, vpc.vpcId(), fabric, progress);
        progress.accept("fabric " + fabric.namespace() + ": EC2 endpoint http://" + endpointAddress + ":" + EC2_PORT
                + ", outside host " + OUTSIDE);

        URI ec2 = ec2Endpoint();
        for (int i = 0; i < specs.size(); i++) {
            NodeSpec spec = specs.get(i);
            String subnet = vpc.subnet(i, Map.of());
            Instance instance = vpc.instance(subnet, spec.instanceType());
            SimulatedNodeNs node = SimulatedNodeNs.create(teardown, i, spec.name(), "vpccni-node" + i + "-" + tag, raw,
                    instance.instanceId(), ec2, spec.settings());
            fabric.addNode(i, node.namespace());
            reconciler.addNode(i, instance.instanceId());
            nodes.add(node);
            progress.accept("node " + spec.name() + ": " + instance.instanceId() + " (" + spec.instanceType() + ", "
                    + instance.privateIpAddress() + ") in namespace " + node.namespace());
        }
        reconciler.reconcileNow();
        teardown.add("fabric reconciler", reconciler.start());
        if (startIpamd) {
            startDaemons();
        }
    }

    /** Builds the box; on failure, everything made so far is removed before the exception propagates. */
    public static VpcBox start(List<NodeSpec> nodes, Consumer<String> progress) throws Exception {
        return start(nodes, progress, true);
    }

    /**
     * The box with its nodes' namespaces, instances, instance metadata and ENIs, but no ipamd started on them:
     * something else runs it there (Kubernetes in the box, {@code io.vpccni.it.kube}, through the DaemonSet).
     */
    public static VpcBox startWithoutIpamd(List<NodeSpec> nodes, Consumer<String> progress) throws Exception {
        return start(nodes, progress, false);
    }

    private static VpcBox start(List<NodeSpec> nodes, Consumer<String> progress, boolean startIpamd)
            throws Exception {
        Teardown teardown = new Teardown();
        try {
            return new VpcBox(teardown, nodes, progress, startIpamd);
        } catch (Exception | Error e) {
            teardown.close();
            throw e;
        }
    }

    private void startDaemons() throws InterruptedException {
        long started = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (SimulatedNodeNs node : nodes) {
            threads.add(Thread.ofPlatform().name("start-" + node.name()).start(() -> {
                try {
                    node.startIpamd(teardown);
                    progress.accept("ipamd on " + node.name() + " ready (pid " + node.ipamd().pid() + ", in "
                            + node.namespace() + ")");
                } catch (Exception e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            IllegalStateException failed = new IllegalStateException("ipamd did not start: " + failures.getFirst()
                    .getMessage(), failures.getFirst());
            failures.stream().skip(1).forEach(failed::addSuppressed);
            throw failed;
        }
        progress.accept(String.format("%d ipamd daemons ready in %.1f s", nodes.size(),
                (System.nanoTime() - started) / 1e9));
    }

    /** A new pod on {@code node}, wired by the real plugin through the node's runtime. */
    public PodNs addPod(String name, SimulatedNodeNs node) throws IOException, InterruptedException {
        return addPod(name, node, Duration.ofSeconds(45));
    }

    /** As {@link #addPod(String, SimulatedNodeNs)}, retrying failed ADDs for up to {@code patience}. */
    public PodNs addPod(String name, SimulatedNodeNs node, Duration patience) throws IOException,
            InterruptedException {
        PodNs pod = new PodNs(name, Namespace.create("vpccni-pod" + podCount.incrementAndGet() + "-" + tag), node);
        teardown.add("pod " + name, pod);
        CniRuntime.Attachment attachment = node.cni().add(pod, patience);
        teardown.add("CNI DEL of " + name, pod, () -> node.cni().del(pod));
        pod.attached(attachment);
        synchronized (pods) {
            pods.add(pod);
        }
        return pod;
    }

    /** Deletes the pod now rather than at teardown: CNI DEL, then its namespace. */
    public void removePod(PodNs pod) throws IOException {
        pod.node().cni().del(pod).orThrow();
        closeRemoved(pod);
    }

    /**
     * As {@link #removePod(PodNs)}, retrying a failed DEL for up to {@code patience} as kubelet keeps retrying a
     * sandbox's teardown; the number of DELs that failed first.
     */
    public int removePod(PodNs pod, Duration patience) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        for (int retries = 0; ; retries++) {
            Exec.Result result = pod.node().cni().del(pod);
            if (result.ok() || System.nanoTime() > deadline) {
                result.orThrow();
                closeRemoved(pod);
                return retries;
            }
            Thread.sleep(1000);
        }
    }

    private void closeRemoved(PodNs pod) throws IOException {
        pod.close();
        teardown.forget(pod);
        synchronized (pods) {
            pods.remove(pod);
        }
    }

    public List<SimulatedNodeNs> nodes() {
        return List.copyOf(nodes);
    }

    public List<PodNs> pods() {
        synchronized (pods) {
            return List.copyOf(pods);
        }
    }

    public Fabric fabric() {
        return fabric;
    }

    /** EC2 as the nodes reach it: the endpoint inside the fabric. */
    public URI ec2Endpoint() {
        return URI.create("http://" + endpointAddress + ":" + EC2_PORT);
    }

    /**
     * A free address of the VPC CIDR on the fabric's loopback, for a service of the box's own (the API server of
     * Kubernetes in the box): reached by every node through its default route, as a VPC endpoint would be.
     */
    public String serviceAddress(int index) {
        if (index < 1 || index > 200) {
            throw new IllegalArgumentException("service address index " + index + " is not 1..200");
        }
        String address = endpointAddress.substring(0, endpointAddress.lastIndexOf('.') + 1) + (254 - index);
        synchronized (serviceAddresses) {
            if (serviceAddresses.add(address)) {
                fabric.addLoopbackAddress(Ipv4Address.parse(address).toInet());
            }
        }
        return address;
    }

    public FabricReconciler reconciler() {
        return reconciler;
    }

    public TestVpc vpc() {
        return vpc;
    }

    public Ec2Client ec2() {
        return raw;
    }

    /** The node's primary address, the one SNAT'd traffic leaves from. */
    public String primaryIp(SimulatedNodeNs node) {
        return fabric.links().values().stream().filter(l -> l.node() == node.index() && l.deviceIndex() == 0)
                .findFirst().orElseThrow().primaryIp().getHostAddress();
    }

    /** The ENI the fabric routes {@code ip} to (a pod's address is a secondary address of exactly one ENI). */
    public Optional<EniLink> eniOf(String ip) {
        Inet4Address address = Ipv4Address.parse(ip).toInet();
        // A secondary address has a /32 route of its own; an address of a delegated prefix, its /28's route.
        Inet4Address hop = fabric.routes().entrySet().stream()
                .filter(r -> r.getKey().toIpv4Cidr().contains(Ipv4Address.of(address)))
                .max(java.util.Comparator.comparingInt(r -> r.getKey().length()))
                .map(Map.Entry::getValue).orElse(null);
        return fabric.links().values().stream().filter(l -> l.primaryIp().equals(hop)).findFirst();
    }

    /** Namespaces of this box that still exist (none after {@link #close()}). */
    public List<String> leftoverNamespaces() {
        return Exec.run("ip", "netns", "list").orThrow().stdout().lines().map(l -> l.split(" ")[0])
                .filter(n -> n.startsWith("vpccni-") && n.endsWith("-" + tag)).toList();
    }

    @Override
    public void close() {
        teardown.close();
    }
}
