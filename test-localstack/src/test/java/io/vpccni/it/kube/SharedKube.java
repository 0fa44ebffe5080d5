package io.vpccni.it.kube;

import io.vpccni.it.vpc.VpcBox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Kubernetes in the box for every test class of the run that needs one ({@code @ExtendWith(SharedKube.class)},
 * then {@link #kube()} in {@code @BeforeAll}): starting a cluster (control plane, two nodes, images imported) costs
 * about a minute and a half, and CI ran it once per class. The cluster lives in the JUnit root context's store,
 * which closes it once the last class of the run is done; a JVM that dies sooner tears it down through
 * {@link KubeInABox}'s own shutdown hook.
 *
 * <p>The classes take turns in the order their {@code @Order} gives (test-localstack's junit-platform.properties
 * orders classes by it): {@link KubernetesInTheBoxTest} first, which needs nodes that have not seen the chart yet,
 * then {@link NetworkPolicyMatrixTest}, then {@link Ec2BudgetLeasesTest} (the control plane only). The first two deploy
 * the chart with {@link #CHART_VALUES}: the first class's cases hold with the policy controller and agent on, so the
 * chart is never re-applied only to switch them on.
 */
final class SharedKube implements BeforeAllCallback {

    /** The image every class deploys; another tag only to keep a machine's images of parallel builds apart. */
    static final String IMAGE_TAG = System.getProperty("vpccni.kube.imageTag", "0.1.0");
    /** The chart's values every deployment of the shared cluster carries beside the test's own. */
    static final String CHART_VALUES = "enableNetworkPolicy: true\n";
    static final int MAX_PODS = 35;

    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(SharedKube.class);
    private static volatile Shared shared;

    /** The cluster and what it was used for; closed by the root store at the end of the run. */
    private record Shared(KubeInABox kube, long started, AtomicInteger classes) implements AutoCloseable {
        @Override
        public void close() {
            shared = null;
            kube.close();
            log(String.format("shared cluster closed after %d classes, %.1f s after its start", classes.get(),
                    (System.nanoTime() - started) / 1e9));
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Shared cluster = context.getRoot().getStore(STORE).getOrComputeIfAbsent(Shared.class, k -> start(),
                Shared.class);
        cluster.classes().incrementAndGet();
        shared = cluster;
    }

    /** The run's cluster; only after this extension's {@code beforeAll}. */
    static KubeInABox kube() {
        Shared cluster = shared;
        if (cluster == null) {
            throw new IllegalStateException("no shared cluster: the class needs @ExtendWith(SharedKube.class)");
        }
        return cluster.kube();
    }

    /**
     * Applies the chart with {@code tag}, {@code env} and {@link #CHART_VALUES}, and waits for the nodes and the
     * policy controller.
     */
    static void deploy(String tag, Map<String, String> env) throws Exception {
        kube().deployVpcCni(tag, env, CHART_VALUES);
    }

    /** Waits until the nodes are Ready and the policy controller has rolled out (after {@link #deploy}). */
    static void awaitDeployed(Duration timeout) throws Exception {
        KubeInABox kube = kube();
        kube.awaitNodesReady(timeout);
        kube.kubectl("-n", "kube-system", "rollout", "status", "daemonset/vpc-cni",
                "--timeout=" + timeout.toSeconds() + "s").orThrow();
        kube.kubectl("-n", "kube-system", "rollout", "status", "deployment/vpc-cni-policy-controller",
                "--timeout=" + timeout.toSeconds() + "s").orThrow();
    }

    /** True once any class has applied the chart. */
    static boolean deployed() {
        return kube().client().apps().daemonSets().inNamespace("kube-system").withName("vpc-cni").get() != null;
    }

    private static Shared start() {
        long started = System.nanoTime();
        try {
            KubeTools tools = KubeTools.requireForTest();
            List<Path> images = List.of(KubeImages.pause(tools, SharedKube::log),
                    KubeImages.vpcCni(tools, IMAGE_TAG, SharedKube::log),
                    KubeImages.netpolServer(tools, SharedKube::log));
            KubeInABox kube = KubeInABox.start(List.of(new VpcBox.NodeSpec("node-a", "t3.large", Map.of()),
                    new VpcBox.NodeSpec("node-b", "t3.large", Map.of())), MAX_PODS, images, SharedKube::log);
            log(String.format("shared cluster up in %.1f s", (System.nanoTime() - started) / 1e9));
            return new Shared(kube, started, new AtomicInteger());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Kubernetes in the box did not start: " + e.getMessage(), e);
        }
    }

    private static void log(String line) {
        System.out.println("[kube] " + line);
    }
}
