package io.vpccni.it.kube;

import io.vpccni.it.ScratchDirectory;
import io.vpccni.it.vpc.Exec;
import io.vpccni.it.vpc.SimulatedNodeNs;
import io.vpccni.it.vpc.Teardown;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A Kubernetes node on a simulated node of the box: containerd and kubelet in the node's network namespace and in a
 * mount namespace of the node's own, where the node's directories are bound over the paths a node has
 * ({@link #NODE_PATHS}: /opt/cni/bin, /etc/cni/net.d, /var/lib/kubelet, /run/containerd, the DaemonSet's host
 * paths...), so several nodes share this machine without seeing each other's files and the DaemonSet's hostPath
 * volumes mean on each node what they mean on a real one. Started with {@code nsenter}, not {@code ip netns exec},
 * which would remount /sys and hide the cgroup hierarchies kubelet and runc work in.
 *
 * <p>kubelet runs with cgroupfs under a cgroup root of the node's own, swap allowed, image garbage collection that
 * never deletes the imported images, its own resolv.conf, and a serving certificate signed by the cluster CA;
 * containerd with restrict_oom_score_adj (root here lacks CAP_SYS_RESOURCE), runc without systemd, the pause image
 * built here as sandbox image, and Debian's loopback and portmap in the CNI bin dir. No CNI configuration: the node
 * stays NotReady until the DaemonSet writes one.
 */
public final class KubeNode {

    /** Paths of a node that each node here has its own of, bound from its directory in its mount namespace. */
    public static final List<String> NODE_PATHS = List.of("/opt/cni/bin", "/etc/cni/net.d", "/etc/containerd",
            "/var/lib/kubelet", "/var/lib/containerd", "/run/containerd", "/var/log/pods", "/var/log/containers",
            "/run/aws-node", "/run/vpc-cni", "/var/log/vpc-cni");
    public static final String PAUSE_IMAGE = "registry.k8s.io/pause:3.10";
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");
    /** The kernel settings kubelet insists on (its setupKernelTunables), as it wants them. */
    private static final Map<String, String> KERNEL_DEFAULTS = Map.of("vm/overcommit_memory", "1",
            "vm/panic_on_oom", "0", "kernel/panic", "10", "kernel/panic_on_oops", "1",
            "kernel/keys/root_maxkeys", "1000000", "kernel/keys/root_maxbytes", "25000000");

    private final String name;
    private final SimulatedNodeNs node;
    private final Path dir;
    private final String cgroupRoot;
    private Daemon holder;
    private Daemon containerd;
    private Daemon kubelet;

    private KubeNode(String name, SimulatedNodeNs node, Path dir, String cgroupRoot) {
        this.name = name;
        this.node = node;
        this.dir = dir;
        this.cgroupRoot = cgroupRoot;
    }

    /**
     * Starts the node's containerd, imports {@code images} (OCI archives) into it, and starts its kubelet, which
     * registers the Node {@code name} with the API server at {@code server}. Everything is registered with
     * {@code teardown}.
     */
    public static KubeNode start(Teardown teardown, KubeTools tools, SimulatedNodeNs node, String name,
                                 String nodeIp, String server, Pki pki, int maxPods, List<Path> images, String tag,
                                 Consumer<String> progress) throws IOException, InterruptedException {
        long started = System.nanoTime();
        KubeNode kube = startRuntime(teardown, tools, node, name, images, tag, Map.of());
        kube.startKubelet(teardown, tools, nodeIp, server, pki, maxPods);
        progress.accept(String.format("node %s: containerd and kubelet in %s, %d images imported, in %.1f s", name,
                node.namespace(), images.size(), (System.nanoTime() - started) / 1e9));
        return kube;
    }

    /**
     * The node without kubelet: its mount namespace, its containerd (with {@code runtimeEnv}, which the CNI plugins
     * containerd runs inherit) and {@code images} imported, for a test that drives the runtime itself through its CRI
     * ({@link #crictl}). Pod sandboxes belong under {@link #cgroupParent()}, removed with the node.
     */
    public static KubeNode startRuntime(Teardown teardown, KubeTools tools, SimulatedNodeNs node, String name,
                                        List<Path> images, String tag, Map<String, String> runtimeEnv)
            throws IOException, InterruptedException {
        Path dir = ScratchDirectory.create("vpccni-k8s-" + name + "-");
        teardown.add("directory " + dir, dir, () -> ScratchDirectory.delete(dir));
        KubeNode kube = new KubeNode(name, node, dir, "/vpccni-k8s-" + tag + "-" + name);
        teardown.add("cgroups of " + name, kube, kube::removeCgroups);
        kube.startHolder(teardown);
        // Runs after kubelet and containerd have stopped, while the holder still shows the mount namespace.
        teardown.add("processes of " + name, kube, kube::killLeftovers);
        kube.createCgroupRoot();
        kube.startContainerd(teardown, tools, runtimeEnv);
        for (Path image : images) {
            kube.importImage(image);
        }
        return kube;
    }

    /** The cgroup under which this node's pods go (kubelet's cgroupRoot). */
    public String cgroupParent() {
        return cgroupRoot;
    }

    /** crictl against the node's containerd, in the node's namespaces, with a client-side time-out. */
    public Exec.Result crictl(KubeTools tools, Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of(tools.crictl().toString(), "--runtime-endpoint",
                "unix:///run/containerd/containerd.sock", "--timeout", timeout.toSeconds() + "s"));
        command.addAll(List.of(args));
        return nodeExec(command);
    }

    public String name() {
        return name;
    }

    public SimulatedNodeNs simulated() {
        return node;
    }

    public Path dir() {
        return dir;
    }

    /** The node's own copy of a {@link #NODE_PATHS node path}, as seen from this machine's mount namespace. */
    public Path hostPath(String nodePath) {
        if (!NODE_PATHS.contains(nodePath)) {
            throw new IllegalArgumentException(nodePath + " is not one of the node's own paths " + NODE_PATHS);
        }
        return dir.resolve("root" + nodePath);
    }

    public Daemon kubelet() {
        return kubelet;
    }

    public Daemon containerd() {
        return containerd;
    }

    /** Imports an OCI archive into the node's containerd, where kubelet's pods find it. */
    public void importImage(Path archive) {
        nodeExec(List.of("ctr", "-n", "k8s.io", "images", "import", archive.toString())).orThrow();
    }

    /** Runs a command in the node's network and mount namespaces (ctr, iptables-save...). */
    public Exec.Result nodeExec(List<String> command) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--target", Long.toString(holder.pid()), "--mount",
                "--net", "--"));
        full.addAll(command);
        return Exec.run(Map.of(), null, full);
    }

    private List<String> inNode(List<String> command) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--target", Long.toString(holder.pid()), "--mount",
                "--net", "--"));
        full.addAll(command);
        return full;
    }

    // The mount namespace lives as long as this holder: a slave of the machine's (so namespaces made later, such as
    // the box's pods, still show, and nothing mounted here reaches the machine), made shared within itself as a
    // real node's is: the pods' network namespaces containerd mounts in /run/netns then appear in the ipamd
    // container's HostToContainer mount of it, as on a node. The node's directories are bound over the node paths.
    private void startHolder(Teardown teardown) throws IOException, InterruptedException {
        StringBuilder script = new StringBuilder("set -e\nmount --make-rshared /\n");
        for (String path : NODE_PATHS) {
            Path own = hostPath(path);
            Files.createDirectories(own);
            script.append("mkdir -p '").append(path).append("'\nmount --bind '").append(own).append("' '")
                    .append(path).append("'\n");
        }
        // kubelet sets these machine-wide kernel settings when they differ from what it wants (kernel.panic=10 and
        // panic_on_oops=1 would make an oops reboot this machine). In the node's mount namespace each reads as what
        // kubelet wants, from a file of the node's, and protectKernelDefaults makes kubelet fail rather than write.
        for (Map.Entry<String, String> tunable : KERNEL_DEFAULTS.entrySet()) {
            Path file = dir.resolve("sysctl-" + tunable.getKey().replace('/', '-'));
            Files.writeString(file, tunable.getValue() + "\n");
            script.append("mount --bind '").append(file).append("' '/proc/sys/").append(tunable.getKey())
                    .append("'\n");
        }
        Path mounted = dir.resolve("mounted");
        script.append("touch '").append(mounted).append("'\nexec sleep infinity\n");
        Files.writeString(dir.resolve("mounts.sh"), script);
        holder = teardown.add("mount namespace of " + name, Daemon.start("mounts of " + name,
                List.of("unshare", "--mount", "--propagation", "slave", "--", "nsenter",
                        "--net=" + node.namespace().path(), "--", "sh", dir.resolve("mounts.sh").toString()),
                Map.of(), dir.resolve("mounts.log"), 5));
        awaitFile(mounted, holder, Duration.ofSeconds(10));
    }

    private void startContainerd(Teardown teardown, KubeTools tools, Map<String, String> env)
            throws IOException, InterruptedException {
        Path cniBin = hostPath("/opt/cni/bin");
        for (String plugin : List.of("loopback", "portmap")) {
            Files.copy(tools.cniPlugins().resolve(plugin), cniBin.resolve(plugin));
        }
        Files.writeString(hostPath("/etc/containerd").resolve("config.toml"), """
                version = 2
                root = "/var/lib/containerd"
                state = "/run/containerd"
                disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
                  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
                [grpc]
                  address = "/run/containerd/containerd.sock"
                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "%s"
                  restrict_oom_score_adj = true
                  disable_apparmor = true
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                        SystemdCgroup = false
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "/opt/cni/bin"
                    conf_dir = "/etc/cni/net.d"
                """.formatted(PAUSE_IMAGE));
        containerd = teardown.add("containerd of " + name, Daemon.start("containerd of " + name,
                inNode(List.of("containerd", "--config", "/etc/containerd/config.toml")), env,
                dir.resolve("containerd.log"), 10));
        awaitFile(hostPath("/run/containerd").resolve("containerd.sock"), containerd, Duration.ofSeconds(30));
        // The socket appears before the CRI plugin answers.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!nodeExec(List.of("ctr", "-n", "k8s.io", "version")).ok()) {
            containerd.requireAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("containerd of " + name + " does not answer:\n" + containerd.tail(30));
            }
            Thread.sleep(200);
        }
    }

    private void startKubelet(Teardown teardown, KubeTools tools, String nodeIp, String server, Pki pki, int maxPods)
            throws IOException {
        Pki.Credential client = pki.issue("kubelet-" + name, "system:node:" + name, List.of("system:nodes"),
                List.of());
        Pki.Credential serving = pki.issue("kubelet-serving-" + name, name, List.of(),
                List.of("IP:" + nodeIp, "DNS:" + name));
        Path kubeconfig = pki.kubeconfig("kubelet-" + name, server, client);
        Path resolv = dir.resolve("resolv.conf");
        // Pods get no DNS server (none is deployed); kubelet needs a file of its own, not the machine's.
        Files.writeString(resolv, "nameserver 127.0.0.53\noptions ndots:1\n");
        Path config = dir.resolve("kubelet.yaml");
        Files.writeString(config, """
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                authentication:
                  anonymous: {enabled: false}
                  webhook: {enabled: true}
                  x509: {clientCAFile: "%s"}
                authorization: {mode: Webhook}
                containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
                cgroupDriver: cgroupfs
                cgroupRoot: "%s"
                failSwapOn: false
                protectKernelDefaults: true
                resolvConf: "%s"
                tlsCertFile: "%s"
                tlsPrivateKeyFile: "%s"
                rotateCertificates: false
                serverTLSBootstrap: false
                imageGCHighThresholdPercent: 100
                imageGCLowThresholdPercent: 99
                evictionHard: {memory.available: "1Mi", nodefs.available: "1%%", imagefs.available: "1%%"}
                maxPods: %d
                readOnlyPort: 0
                healthzBindAddress: 127.0.0.1
                serializeImagePulls: false
                nodeStatusUpdateFrequency: 4s
                syncFrequency: 10s
                """.formatted(pki.ca().cert(), cgroupRoot, resolv, serving.cert(), serving.key(), maxPods));
        kubelet = teardown.add("kubelet of " + name, Daemon.start("kubelet of " + name, inNode(List.of(
                tools.binary("kubelet").toString(), "--config=" + config, "--kubeconfig=" + kubeconfig,
                "--hostname-override=" + name, "--node-ip=" + nodeIp, "--v=1")), Map.of(),
                dir.resolve("kubelet.log"), 15));
    }

    /** The cgroup v1 hierarchies kubelet and runc create cgroups in (cpuset's copies its parent's CPUs first). */
    private List<Path> hierarchies() throws IOException {
        try (Stream<Path> all = Files.list(CGROUPS)) {
            return all.filter(p -> Files.isDirectory(p) && !Files.isSymbolicLink(p)
                    && Files.exists(p.resolve("cgroup.procs"))).sorted().toList();
        }
    }

    private void createCgroupRoot() throws IOException {
        for (Path hierarchy : hierarchies()) {
            Path own = hierarchy.resolve(cgroupRoot.substring(1));
            Files.createDirectories(own);
            for (String inherited : List.of("cpuset.cpus", "cpuset.mems")) {
                if (Files.exists(own.resolve(inherited))) {
                    Files.writeString(own.resolve(inherited), Files.readString(hierarchy.resolve(inherited)).strip());
                }
            }
        }
    }

    private void removeCgroups() throws IOException {
        List<String> stuck = new ArrayList<>();
        for (Path hierarchy : hierarchies()) {
            Path own = hierarchy.resolve(cgroupRoot.substring(1));
            if (!Files.exists(own)) {
                continue;
            }
            List<Path> tree;
            try (Stream<Path> walk = Files.walk(own)) {
                tree = walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
            }
            for (Path cgroup : tree) {
                try {
                    Files.delete(cgroup);
                } catch (IOException busy) {
                    stuck.add(cgroup.toString());
                }
            }
        }
        if (!stuck.isEmpty()) {
            throw new IOException("cgroups of " + name + " still in use: " + stuck);
        }
    }

    /**
     * After kubelet and containerd have stopped: every container task's processes and every shim of this node
     * (processes in its mount namespace, and their children), found by namespace, killed by pid.
     */
    private void killLeftovers() throws IOException, InterruptedException {
        if (holder == null) {
            return;
        }
        String mountNs = Files.readSymbolicLink(Path.of("/proc", Long.toString(holder.pid()), "ns", "mnt"))
                .toString();
        Map<Long, Long> parents = new LinkedHashMap<>();
        List<Long> inNode = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                long pid = Long.parseLong(proc.getFileName().toString());
                try {
                    String stat = Files.readString(proc.resolve("stat"));
                    parents.put(pid, Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]));
                    if (pid != holder.pid() && Files.readSymbolicLink(proc.resolve("ns/mnt")).toString()
                            .equals(mountNs)) {
                        inNode.add(pid);
                    }
                } catch (IOException | RuntimeException gone) {
                    // exited meanwhile
                }
            }
        }
        List<Long> victims = new ArrayList<>(inNode);
        for (int added = -1; added != 0; ) {
            added = 0;
            for (Map.Entry<Long, Long> p : parents.entrySet()) {
                if (victims.contains(p.getValue()) && !victims.contains(p.getKey())) {
                    victims.add(p.getKey());
                    added++;
                }
            }
        }
        for (long pid : victims) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (long pid : victims) {
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                    .exceptionally(t -> h).join());
        }
        if (!victims.isEmpty()) {
            System.err.println("[kube] node " + name + ": killed " + victims.size() + " leftover processes " + victims);
        }
    }

    private static void awaitFile(Path file, Daemon daemon, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file)) {
            daemon.requireAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(daemon.name() + ": no " + file + " after " + timeout.toSeconds()
                        + " s:\n" + daemon.tail(30));
            }
            Thread.sleep(100);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
