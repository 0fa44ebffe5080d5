package io.vpccni.it.kube;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the programs of Kubernetes in the box are: the Kubernetes binaries that {@code scripts/kubernetes-binaries.sh}
 * builds (or {@code -Dvpccni.kubernetes.bin}), Debian's etcd, containerd, runc and CNI plugins, helm, and the image
 * archives {@code deploy/image/build.sh} writes.
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
        KubeTools tools = find();
        io.vpccni.netlink.testing.Shell.require(tools.missing().isEmpty(),
                "Kubernetes in the box needs " + tools.missing());
        return tools;
    }

    public Path kubectl() {
        return kubernetesBin.resolve("kubectl");
    }

    public Path binary(String name) {
        return kubernetesBin.resolve(name);
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
