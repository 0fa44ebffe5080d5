package io.vpccni.it.kube;

import io.vpccni.it.vpc.VpcBox;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./vpc-cni cluster}: Kubernetes in the box by hand. Builds the image and the pause image if needed
 * ({@code deploy/image/build.sh}), starts the control plane and two nodes (t3.large) in VPC in a box, applies
 * {@code deploy/chart}, waits for the nodes to turn Ready, prints how to reach the cluster with kubectl, and keeps it
 * up until Ctrl-C, when everything is torn down.
 */
public final class Cluster {

    private static final long START = System.nanoTime();

    private Cluster() {}

    public static void main(String[] args) throws Exception {
        KubeTools tools = KubeTools.find();
        if (!tools.missing().isEmpty()) {
            step("missing: " + String.join(", ", tools.missing()));
            System.exit(1);
        }
        String tag = args.length > 0 ? args[0] : "0.1.0";
        List<Path> images = List.of(KubeImages.pause(tools, Cluster::step), KubeImages.vpcCni(tools, tag, Cluster::step));
        CountDownLatch stopped = new CountDownLatch(1);
        try (KubeInABox kube = KubeInABox.start(List.of(new VpcBox.NodeSpec("node-a", "t3.large", Map.of()),
                new VpcBox.NodeSpec("node-b", "t3.large", Map.of())), 35, images, Cluster::step)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                step("interrupted: tearing down (kubelets, containerd, control plane, namespaces, emulator VPC)");
                stopped.countDown();
            }));
            kube.deployVpcCni(tag, Map.of());
            kube.awaitNodesReady(java.time.Duration.ofSeconds(240));
            step("nodes Ready:\n" + kube.kubectl("get", "nodes", "-o", "wide").stdout()
                    + kube.kubectl("get", "pods", "-A", "-o", "wide").stdout());
            Path kubeconfig = kube.controlPlane().adminKubeconfig("admin-by-hand",
                    kube.kubectl("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}")
                            .orThrow().stdout().strip());
            step("the cluster is up; in another shell:\n  export KUBECONFIG=" + kubeconfig + "\n  "
                    + tools.kubectl() + " get nodes\n"
                    + "each node's files (logs, /etc/cni/net.d...) are under " + kube.nodes().stream()
                    .map(n -> n.dir().toString()).toList() + "\nCtrl-C tears it all down");
            stopped.await();
        } catch (Exception e) {
            step("cluster failed: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void step(String line) {
        System.out.printf("[%6.1f s] %s%n", (System.nanoTime() - START) / 1e9, line);
    }
}
