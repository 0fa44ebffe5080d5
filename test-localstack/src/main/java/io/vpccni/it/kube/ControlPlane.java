package io.vpccni.it.kube;

import io.vpccni.it.vpc.Exec;
import io.vpccni.it.vpc.Namespace;
import io.vpccni.it.vpc.Teardown;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * etcd, kube-apiserver, kube-controller-manager and kube-scheduler inside one network namespace: etcd and the
 * controllers on its loopback, the API server on every address of the namespace, so nodes reach it at
 * {@code address}:6443 through the simulated network. Authorization is Node,RBAC, as on a real cluster: a permission
 * missing from the DaemonSet's ClusterRole fails for real.
 */
public final class ControlPlane {

    public static final int PORT = 6443;
    /** The services' range: outside any VPC CIDR of the box (10.x.0.0/16), as EKS uses for 10.x VPCs. */
    public static final String SERVICE_CIDR = "172.20.0.0/16";

    private final String address;
    private final Pki pki;
    private final Pki.Credential admin;

    private ControlPlane(String address, Pki pki, Pki.Credential admin) {
        this.address = address;
        this.pki = pki;
        this.admin = admin;
    }

    /**
     * Starts the four programs in {@code ns} and waits until the API server is ready; each is registered with
     * {@code teardown}.
     */
    public static ControlPlane start(Teardown teardown, KubeTools tools, Namespace ns, String address, Pki pki,
                                     Path dir, Consumer<String> progress) throws IOException, InterruptedException {
        long started = System.nanoTime();
        Files.createDirectories(dir);
        String server = "https://" + address + ":" + PORT;
        Pki.Credential apiserver = pki.issue("apiserver", "kube-apiserver", List.of(), List.of("IP:" + address,
                "IP:127.0.0.1", "IP:172.20.0.1", "DNS:localhost", "DNS:kubernetes", "DNS:kubernetes.default",
                "DNS:kubernetes.default.svc", "DNS:kubernetes.default.svc.cluster.local"));
        Pki.Credential kubeletClient = pki.issue("apiserver-kubelet-client", "kube-apiserver-kubelet-client",
                List.of("system:masters"), List.of());
        Pki.Credential admin = pki.issueRsa("admin", "kubernetes-admin", List.of("system:masters"));
        Path controllerManager = pki.kubeconfig("controller-manager", server,
                pki.issue("controller-manager", "system:kube-controller-manager", List.of(), List.of()));
        Path scheduler = pki.kubeconfig("scheduler", server,
                pki.issue("scheduler", "system:kube-scheduler", List.of(), List.of()));

        teardown.add("etcd", Daemon.start("etcd", Daemon.inNetns(ns.path(), List.of("/usr/bin/etcd",
                "--name", "box", "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", "http://127.0.0.1:2379", "--advertise-client-urls", "http://127.0.0.1:2379",
                "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
                "--initial-cluster", "box=http://127.0.0.1:2380", "--log-level", "warn")), Map.of(),
                dir.resolve("etcd.log"), 10));
        Daemon api = teardown.add("kube-apiserver", Daemon.start("kube-apiserver", Daemon.inNetns(ns.path(),
                List.of(tools.binary("kube-apiserver").toString(),
                        "--etcd-servers=http://127.0.0.1:2379",
                        "--bind-address=0.0.0.0", "--secure-port=" + PORT, "--advertise-address=" + address,
                        "--service-cluster-ip-range=" + SERVICE_CIDR,
                        "--tls-cert-file=" + apiserver.cert(), "--tls-private-key-file=" + apiserver.key(),
                        "--client-ca-file=" + pki.ca().cert(),
                        "--kubelet-client-certificate=" + kubeletClient.cert(),
                        "--kubelet-client-key=" + kubeletClient.key(),
                        "--kubelet-preferred-address-types=InternalIP",
                        "--service-account-issuer=https://kubernetes.default.svc",
                        "--service-account-key-file=" + pki.serviceAccountPublicKey(),
                        "--service-account-signing-key-file=" + pki.serviceAccountKey(),
                        "--authorization-mode=Node,RBAC", "--allow-privileged=true",
                        "--enable-admission-plugins=NodeRestriction", "--profiling=false", "--v=1")),
                Map.of(), dir.resolve("kube-apiserver.log"), 10));
        ControlPlane plane = new ControlPlane(address, pki, admin);
        plane.awaitReady(ns, pki, api, Duration.ofSeconds(120));
        teardown.add("kube-controller-manager", Daemon.start("kube-controller-manager", Daemon.inNetns(ns.path(),
                List.of(tools.binary("kube-controller-manager").toString(),
                        "--kubeconfig=" + controllerManager, "--authentication-kubeconfig=" + controllerManager,
                        "--authorization-kubeconfig=" + controllerManager,
                        "--service-account-private-key-file=" + pki.serviceAccountKey(),
                        "--root-ca-file=" + pki.ca().cert(), "--use-service-account-credentials=true",
                        "--service-cluster-ip-range=" + SERVICE_CIDR, "--leader-elect=false",
                        "--bind-address=127.0.0.1", "--profiling=false", "--v=1")),
                Map.of(), dir.resolve("kube-controller-manager.log"), 10));
        teardown.add("kube-scheduler", Daemon.start("kube-scheduler", Daemon.inNetns(ns.path(),
                List.of(tools.binary("kube-scheduler").toString(), "--kubeconfig=" + scheduler,
                        "--authentication-kubeconfig=" + scheduler, "--authorization-kubeconfig=" + scheduler,
                        "--leader-elect=false", "--bind-address=127.0.0.1", "--profiling=false", "--v=1")),
                Map.of(), dir.resolve("kube-scheduler.log"), 10));
        progress.accept(String.format("control plane in %s: API server %s ready in %.1f s", ns, server,
                (System.nanoTime() - started) / 1e9));
        return plane;
    }

    private void awaitReady(Namespace ns, Pki pki, Daemon api, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> probe = List.of("curl", "-fsS", "--max-time", "3", "--cacert", pki.ca().cert().toString(),
                "https://" + address + ":" + PORT + "/readyz");
        while (true) {
            api.requireAlive();
            Exec.Result ready = ns.exec(Map.of(), null, probe);
            if (ready.ok()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("kube-apiserver not ready after " + timeout.toSeconds() + " s: "
                        + ready.stderr().strip() + "\n" + api.tail(30));
            }
            Thread.sleep(500);
        }
    }

    /** The API server as the nodes reach it. */
    public String server() {
        return "https://" + address + ":" + PORT;
    }

    public String address() {
        return address;
    }

    /** A kubeconfig of the cluster's administrator (system:masters) that reaches the API server at {@code server}. */
    public Path adminKubeconfig(String file, String server) throws IOException {
        return pki.kubeconfig(file, server, admin);
    }
}
