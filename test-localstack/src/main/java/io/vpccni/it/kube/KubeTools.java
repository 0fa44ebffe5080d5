package io.vpccni.it.kube;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the programs of Kubernetes in the box are: the Kubernetes binaries that {@code scripts/kubernetes-binaries.sh}
 * builds (or {@code -Dvpccni.kubernetes.bin}), Debian's etcd, containerd, runc and CNI plugins, helm, crictl, and
 * the image archives {@code deploy/image/build.sh} writes.
 */
public record KubeTools(Path kubernetesBin, Path helm, Path cniPlugins, Path repository) {

    public static final String KUBERNETES_VERSION = "v1.34.4";

    /** The defaults, with the repository found from the working directory (a module's or the root). */
    public static KubeTools find() {
        Path here = Path.of("").toAbsolutePath();
        Path repository = Files.exists(here.resolve("deploy/chart")) ? here : here.getParent();
        return new KubeTools(
                Path.of(System.getProperty("vpccni.kubernetes.bin", "/opt/kubernetes-" + KUBERNETES_VERSION + "/bin")),
                Path.of(System.getProperty("vpccni.helm", "/opt/helm/bin/helm")), Path.of("/usr/lib/cni"), repository);
    }

    /**
     * The tools, for a test that needs Kubernetes in the box: fails under VPCCNI_REQUIRE_ALL_TESTS, and skips
     * otherwise, when not root (namespaces, mounts and cgroups) or when a tool is missing.
     */
    public static KubeTools requireForTest() {
        io.vpccni.netlink.testing.Shell.require("root".equals(System.getProperty("user.name")),
                "namespaces, mounts and cgroups need root");
        awaitBackgroundSetup();
        KubeTools tools = find();
        io.vpccni.netlink.testing.Shell.require(tools.missing().isEmpty(),
                "Kubernetes in the box needs " + tools.missing() + " (if ./vpc-cni test built them in the background: "
                        + SETUP_LOG + ")");
        return tools;
    }

    /** {@link #requireForTest()} and crictl, for a test that drives containerd itself (not needed by the box). */
    public static KubeTools requireWithCrictlForTest() {
        KubeTools tools = requireForTest();
        io.vpccni.netlink.testing.Shell.require(Files.isExecutable(tools.crictl()),
                tools.crictl() + " is missing (./vpc-cni test installs crictl)");
        return tools;
    }

    /** Where ./vpc-cni test records the process that builds the binaries and base images beside the first modules. */
    static final Path SETUP_PID = Path.of("/var/cache/vpc-cni/kube-setup.pid");
    static final Path SETUP_LOG = Path.of("/var/cache/vpc-cni/kube-setup.log");
    /** Long enough for Kubernetes' binaries and both base images on a loaded new machine. */
    private static final java.time.Duration SETUP_BOUND = java.time.Duration.ofMinutes(40);

    /** Waits, bounded, while the background set-up ./vpc-cni test started is still running. */
    private static void awaitBackgroundSetup() {
        long pid;
        try {
            pid = Long.parseLong(Files.readString(SETUP_PID).strip());
        } catch (java.io.IOException | NumberFormatException e) {
            return; // none started: the tools are there or missing() names them
        }
        // A pid file left by an interrupted run may name a process that is not ours by now.
        var process = ProcessHandle.of(pid).filter(p -> p.info().commandLine().orElse("").contains("kube-setup"));
        if (process.isEmpty()) {
            return;
        }
        System.out.println("[kube] waiting for ./vpc-cni test's background set-up (pid " + pid + ", log " + SETUP_LOG
                + ")");
        try {
            process.get().onExit().get(SETUP_BOUND.toMinutes(), java.util.concurrent.TimeUnit.MINUTES);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the background set-up (pid " + pid + ") is still running after "
                    + SETUP_BOUND.toMinutes() + " minutes; see " + SETUP_LOG, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the background set-up", e);
        }
    }

    public Path kubectl() {
        return kubernetesBin.resolve("kubectl");
    }

    public Path binary(String name) {
        return kubernetesBin.resolve(name);
    }

    /** crictl, containerd's CRI client ({@code ./vpc-cni test} installs it; {@code -Dvpccni.crictl}). */
    public Path crictl() {
        return Path.of(System.getProperty("vpccni.crictl", "/opt/crictl/bin/crictl"));
    }

    public Path chart() {
        return repository.resolve("deploy/chart");
    }

    public Path imageBuilder() {
        return repository.resolve("deploy/image/build.sh");
    }

    /** What is missing to run Kubernetes in the box, each naming how it is installed; empty when nothing is. */
    public List<String> missing() {
        List<String> missing = new ArrayList<>();
        for (String binary : List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet",
                "kubectl")) {
            if (!Files.isExecutable(binary(binary))) {
                missing.add(binary(binary) + " (scripts/kubernetes-binaries.sh)");
            }
        }
        for (String program : List.of("/usr/bin/etcd", "/usr/bin/containerd", "/usr/bin/ctr", "/usr/sbin/runc",
                "/usr/bin/containerd-shim-runc-v2", "/usr/bin/buildah", "/usr/bin/mmdebstrap", "/usr/bin/openssl",
                "/usr/bin/nsenter", "/usr/bin/unshare")) {
            if (!Files.isExecutable(Path.of(program))) {
                missing.add(program + " (Debian's package, ./vpc-cni test installs it)");
            }
        }
        for (String plugin : List.of("loopback", "portmap")) {
            if (!Files.isExecutable(cniPlugins.resolve(plugin))) {
                missing.add(cniPlugins.resolve(plugin) + " (containernetworking-plugins)");
            }
        }
        if (!Files.isExecutable(helm)) {
            missing.add(helm + " (./vpc-cni test installs helm)");
        }
        return missing;
    }
}
