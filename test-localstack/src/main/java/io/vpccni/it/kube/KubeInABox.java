package io.vpccni.it.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vpccni.it.ScratchDirectory;
import io.vpccni.it.vpc.EndpointProxy;
import io.vpccni.it.vpc.Exec;
import io.vpccni.it.vpc.SimulatedNodeNs;
import io.vpccni.it.vpc.Teardown;
import io.vpccni.it.vpc.VpcBox;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Kubernetes in the box: a {@link VpcBox} whose nodes run no ipamd of the harness's, a {@link ControlPlane} in its
 * fabric namespace, and a {@link KubeNode} (containerd + kubelet) on each simulated node, with the given image
 * archives imported. {@link #deployVpcCni} then applies the project's chart as an operator would ({@code helm
 * template} of {@code deploy/chart}, {@code kubectl apply}): the DaemonSet's ipamd reaches its instance metadata and
 * EC2 through the simulated network, writes the conflist, and the nodes turn Ready.
 *
 * <p>The tests' client ({@link #client()}, {@link #kubectl}) reaches the API server through a relay on this
 * machine's loopback. Closing removes everything, in reverse order; so does a failed start and a JVM shutdown.
 */
public final class KubeInABox implements AutoCloseable {

    /** The API server's address in the fabric: the first service address of the box. */
    private static final int API_SERVICE_INDEX = 1;

    private final Teardown teardown;
    private final KubeTools tools;
    private final Consumer<String> progress;
    private final Path dir;
    private VpcBox box;
    private ControlPlane plane;
    private Path kubeconfig;
    private KubernetesClient client;
    private final List<KubeNode> nodes = new ArrayList<>();

    private KubeInABox(Teardown teardown, KubeTools tools, Path dir, Consumer<String> progress) {
        this.teardown = teardown;
        this.tools = tools;
        this.dir = dir;
        this.progress = progress;
    }

    /**
     * Starts the box, the control plane and the nodes (named after their specs), and waits until every node is
     * registered. The nodes are NotReady: no CNI configuration until {@link #deployVpcCni}.
     *
     * @param maxPods kubelet's pod limit per node: what the instance type's addresses allow, as on EKS
     * @param images  OCI archives imported into every node's containerd (the pause image among them)
     */
    public static KubeInABox start(List<VpcBox.NodeSpec> specs, int maxPods, List<Path> images,
                                   Consumer<String> progress) throws Exception {
        KubeTools tools = KubeTools.find();
        List<String> missing = tools.missing();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Kubernetes in the box needs " + String.join(", ", missing));
        }
        Teardown teardown = new Teardown();
        try {
            Path dir = ScratchDirectory.create("vpccni-k8s-");
            teardown.add("directory " + dir, dir, () -> ScratchDirectory.delete(dir));
            KubeInABox kube = new KubeInABox(teardown, tools, dir, progress);
            kube.startAll(specs, maxPods, images);
            return kube;
        } catch (Exception | Error e) {
            teardown.close();
            throw e;
        }
    }

    private static final Path RUN_NETNS = Path.of("/run/netns");

    static Set<String> podNetnsNames() throws IOException {
        if (!Files.isDirectory(RUN_NETNS)) {
            return Set.of();
        }
        try (var names = Files.list(RUN_NETNS)) {
            return names.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("cni-"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    static void removeDeadPodNetns(Set<String> before) throws IOException {
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        for (String name : podNetnsNames()) {
            Path path = RUN_NETNS.resolve(name);
            if (!before.contains(name) && !mounts.contains(" " + path + " ") && !mounts.contains(" /var" + path + " ")) {
                Files.deleteIfExists(path);
            }
        }
    }

    private void startAll(List<VpcBox.NodeSpec> specs, int maxPods, List<Path> images) throws Exception {
        long started = System.nanoTime();
        // The node paths a node mounts over are left in place, empty, when the box goes: removing a directory that is
        // a mount point in another mount namespace detaches the mounts there, so another box running beside this one
        // (a test of another worktree) would lose its nodes' /run/vpc-cni, /etc/cni/net.d... at once.
        // containerd names the pods' network namespaces /run/netns/cni-<id> on the machine's /run/netns, which the
        // nodes' mount namespaces share, and mounts them only there: once the nodes are gone the names stay behind as
        // empty files. Those that appeared while this box ran and are mounted nowhere here are removed last.
        Set<String> podNetnsBefore = podNetnsNames();
        teardown.add("pods' namespace names left by containerd", this, () -> removeDeadPodNetns(podNetnsBefore));
        box = teardown.add("VPC box", VpcBox.startWithoutIpamd(specs, progress));
        Pki pki = Pki.create(dir.resolve("pki"));
        String address = box.serviceAddress(API_SERVICE_INDEX);
        plane = ControlPlane.start(teardown, tools, box.fabric().namespace(), address, pki, dir, progress);
        EndpointProxy relay = teardown.add("API server relay", EndpointProxy.intoNamespace(box.fabric().namespace(),
                new InetSocketAddress(address, ControlPlane.PORT)));
        kubeconfig = plane.adminKubeconfig("admin-local", "https://127.0.0.1:" + relay.listenAddress().getPort());
        client = teardown.add("Kubernetes client", new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build());

        String tag = Long.toString(ProcessHandle.current().pid(), 36) + Long.toString(System.nanoTime() % 46656, 36);
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, KubeNode> started2 = Collections.synchronizedMap(new LinkedHashMap<>());
        List<SimulatedNodeNs> simulated = box.nodes();
        for (int i = 0; i < simulated.size(); i++) {
            SimulatedNodeNs node = simulated.get(i);
            int index = i;
            threads.add(Thread.ofPlatform().name("kube-node-" + node.name()).start(() -> {
                try {
                    started2.put(index, KubeNode.start(teardown, tools, node, node.name(), box.primaryIp(node),
                            plane.server(), pki, maxPods, images, tag, progress));
                } catch (Exception e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            IllegalStateException failed = new IllegalStateException("a node did not start: "
                    + failures.getFirst().getMessage(), failures.getFirst());
            failures.stream().skip(1).forEach(failed::addSuppressed);
            throw failed;
        }
        for (int i = 0; i < simulated.size(); i++) {
            nodes.add(started2.get(i));
        }
        awaitRegistered(Duration.ofSeconds(90));
        progress.accept(String.format("Kubernetes in the box: %d nodes registered %.1f s after start", nodes.size(),
                (System.nanoTime() - started) / 1e9));
    }

    private void awaitRegistered(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (KubeNode node : nodes) {
            while (client.nodes().withName(node.name()).get() == null) {
                node.kubelet().requireAlive();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("node " + node.name() + " not registered after "
                            + timeout.toSeconds() + " s:\n" + node.kubelet().tail(30));
                }
                Thread.sleep(250);
            }
        }
    }

    /**
     * Renders {@code deploy/chart} with {@code helm template} (CRDs included) and applies it with kubectl: the
     * DaemonSet, its ServiceAccount, ClusterRole and binding, the ENIConfig CRD. The values say only what this box
     * needs and a node of a real cluster would not: the image is already on the nodes (pullPolicy Never), EC2 is the
     * fabric's endpoint with the emulator's credentials, the API server's address (no kube-proxy serves the
     * kubernetes Service's ClusterIP here), and no leaked-ENI collection in an emulator account other tests share.
     *
     * @param env more of ipamd's settings (the chart's {@code env}), e.g. custom networking
     */
    public void deployVpcCni(String imageTag, Map<String, String> env) throws IOException {
        deployVpcCni(imageTag, env, "");
    }

    /**
     * {@link #deployVpcCni(String, Map)} with more of the chart's values, as YAML appended to the test's (e.g.
     * {@code enableNetworkPolicy: true}).
     */
    public void deployVpcCni(String imageTag, Map<String, String> env, String moreValues) throws IOException {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("AWS_ENDPOINT_URL_EC2", box.ec2Endpoint().toString());
        all.put("AWS_ACCESS_KEY_ID", "test");
        all.put("AWS_SECRET_ACCESS_KEY", "test");
        all.put("KUBERNETES_SERVICE_HOST", plane.address());
        all.put("KUBERNETES_SERVICE_PORT", Integer.toString(ControlPlane.PORT));
        all.put("DISABLE_LEAKED_ENI_CLEANUP", "true");
        all.putAll(env);
        StringBuilder values = new StringBuilder("image:\n  pullPolicy: Never\n  tag: \"" + imageTag + "\"\nenv:\n");
        all.forEach((key, value) -> values.append("  ").append(key).append(": \"").append(value).append("\"\n"));
        values.append(moreValues);
        Path valuesFile = dir.resolve("values.yaml");
        Files.writeString(valuesFile, values);
        Exec.Result rendered = Exec.run(Map.of(), null, List.of(tools.helm().toString(), "template", "vpc-cni",
                tools.chart().toString(), "--namespace", "kube-system", "--include-crds", "-f",
                valuesFile.toString())).orThrow();
        Path manifests = dir.resolve("vpc-cni.yaml");
        Files.writeString(manifests, rendered.stdout());
        kubectl("apply", "-f", manifests.toString()).orThrow();
        boolean policyController = java.util.Arrays.stream(rendered.stdout().split("\n---")).anyMatch(d ->
                d.contains("\nkind: Deployment\n") && d.contains("\n  name: vpc-cni-policy-controller\n"));
        if (policyController) {
            // No kube-proxy in the box: the controller reaches the API server by its address, as ipamd does (the
            // env above); what kubelet injects for the kubernetes Service would lead nowhere. Unchanged on a
            // second deployment, so no second rollout.
            kubectl("-n", "kube-system", "set", "env", "deployment/vpc-cni-policy-controller",
                    "KUBERNETES_SERVICE_HOST=" + plane.address(), "KUBERNETES_SERVICE_PORT=" + ControlPlane.PORT)
                    .orThrow();
        }
        progress.accept("applied deploy/chart (image tag " + imageTag + ", " + env.size()
                + " settings beside the box's)");
    }

    /** kubectl as the cluster's administrator, from this machine. */
    public Exec.Result kubectl(String... args) {
        List<String> command = new ArrayList<>(List.of(tools.kubectl().toString(), "--kubeconfig",
                kubeconfig.toString()));
        command.addAll(List.of(args));
        return Exec.run(Map.of(), null, command);
    }

    /** Waits until every node reports Ready; throws with the nodes' conditions after {@code timeout}. */
    public void awaitNodesReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!nodes.stream().allMatch(n -> ready(n.name()))) {
            for (KubeNode node : nodes) {
                node.kubelet().requireAlive();
                node.containerd().requireAlive();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("nodes not Ready after " + timeout.toSeconds() + " s: "
                        + kubectl("get", "nodes", "-o", "wide").stdout() + kubectl("get", "pods", "-A", "-o", "wide")
                        .stdout());
            }
            Thread.sleep(500);
        }
    }

    /** True when the node's Ready condition is True. */
    public boolean ready(String node) {
        return readyCondition(node).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    /** The node's Ready condition (its reason and message say why it is not). */
    public Optional<NodeCondition> readyCondition(String node) {
        Node found = client.nodes().withName(node).get();
        if (found == null || found.getStatus() == null || found.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return found.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    }

    /** The administrator's kubeconfig for this machine (the API server through the relay), while the box runs. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    public KubernetesClient client() {
        return client;
    }

    public VpcBox box() {
        return box;
    }

    public ControlPlane controlPlane() {
        return plane;
    }

    public List<KubeNode> nodes() {
        return List.copyOf(nodes);
    }

    public KubeNode node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + name + " in " + nodes));
    }

    public KubeTools tools() {
        return tools;
    }

    @Override
    public void close() {
        teardown.close();
    }
}
