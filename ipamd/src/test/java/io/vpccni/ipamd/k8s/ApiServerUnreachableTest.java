package io.vpccni.ipamd.k8s;

import static io.vpccni.ipamd.k8s.MockCluster.NODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.ipamd.datastore.MutableClock;
import io.vpccni.ipamd.warmpool.NodeCondition;
import io.vpccni.ipamd.warmpool.PoolAction;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Without custom networking the daemon starts and serves while the API server is unreachable, and catches up
 * when it comes back (issue 6). The link is pointed at a port of 127.0.0.1 nobody listens on; later fabric8's mock
 * server (CRUD mode) is started on that very port and the node's taint must reach the link's conditions.
 *
 * <p>Every call the daemon makes on the link runs on another thread under a deadline, so a call that blocks fails
 * the test instead of hanging it. Placement is not among them: without custom networking the daemon places ENIs
 * with EniPlacement.primaryOrDiscovered and never asks the link.
 */
class ApiServerUnreachableTest {

    /** Far longer than any call that does not wait for the network takes, far shorter than fabric8's retries. */
    static final Duration PROMPTLY = Duration.ofSeconds(3);
    /**
     * fabric8 retries a failed request with exponential backoff capped at 32 x the 100 ms base (3.2 s), and the
     * informer's re-list follows the same cap: after the server comes back the next try lands within a few seconds.
     */
    static final Duration CATCH_UP = Duration.ofSeconds(20);

    final InetAddress loopback = InetAddress.getLoopbackAddress();
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final Hooks daemon = new Hooks();
    final int port = closedPort();
    KubernetesClient client;
    KubernetesLink link;
    KubernetesMockServer server;
    KubernetesClient serverClient;

    /** A port that was just free: bound, read and released, so connecting to it is refused. */
    private int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, loopback)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The server goes first: closing a watch while the mock server writes to it blocks the server's event loop
     * (see ClusterLinkTest).
     */
    @AfterEach
    void closeAll() {
        if (serverClient != null) {
            serverClient.close();
        }
        if (server != null) {
            server.destroy();
        }
        if (link != null) {
            link.close();
        }
        if (client != null) {
            client.close();
        }
    }

    @Test
    void linkStartsAndAnswersWhileTheApiServerIsDownAndCatchesUpOnceItIsBack() throws Exception {
        // What the daemon's in-cluster client would be, only with the API server's address made up.
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://" + loopback.getHostAddress() + ":" + port)
                .withNamespace("default").build()).build();
        link = new KubernetesLink(client, NODE, MockCluster.eniSettings(false), false, clock, MockCluster.MANUAL);

        promptly("start", () -> {
            link.start(daemon.hooks());
            return null;
        });
        assertThat(promptly("conditions", link::conditions)).as("the node is not known yet: no condition").isEmpty();
        promptly("reconcile", () -> {
            link.reconcileOnce(); // the pods are not known yet: nothing may be released
            return null;
        });
        assertThat(daemon.released).isEmpty();
        // The event writer retries against the dead server on its own thread; the pool maintainer must not wait.
        promptly("pool event", () -> {
            link.poolEvents().failed(new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 10),
                    new Ec2Failure.SubnetFull("CreateNetworkInterface", "InsufficientFreeAddressesInSubnet",
                            "no free addresses", null));
            return null;
        });
        assertThat(link.cluster().node()).isEmpty();
        assertThat(link.cluster().podsOnNode()).as("unknown, never \"no pods\"").isEmpty();

        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(),
                new HashMap<>(), new KubernetesMixedDispatcher(new HashMap<>()), false);
        server.init(loopback, port);
        serverClient = server.createClient();
        serverClient.nodes().resource(new NodeBuilder().withNewMetadata()
                .withName(NODE).endMetadata().withNewSpec()
                .withTaints(new Taint("NoSchedule", "node.kubernetes.io/unschedulable", null, null)).endSpec()
                .build()).create();

        awaitWithin(CATCH_UP, () -> link.conditions().equals(Set.of(NodeCondition.UNSCHEDULABLE)),
                "the node's unschedulable taint read once the API server is back");
        awaitWithin(CATCH_UP, () -> link.cluster().podsOnNode().isPresent(), "the pods listed");
        // The event reported while the server was down is still being retried by fabric8 (well within its budget
        // of ten tries), so it arrives too.
        awaitWithin(CATCH_UP, () -> serverClient.v1().events().inNamespace(KubernetesLink.EVENT_NAMESPACE).list()
                .getItems().stream().anyMatch(e -> e.getReason().equals(NodeEvent.SUBNET_EXHAUSTED)),
                "the subnet event written once the API server is back");
    }

    /** Runs one call on another thread and fails unless it returns within {@link #PROMPTLY}. */
    private static <T> T promptly(String what, Supplier<T> call) {
        var thread = Executors.newVirtualThreadPerTaskExecutor();
        try {
            CompletableFuture<T> result = CompletableFuture.supplyAsync(call, thread);
            assertThat(result).as(what + " returns promptly and does not throw").succeedsWithin(PROMPTLY);
            return result.join();
        } finally {
            thread.shutdownNow();
        }
    }

    private static void awaitWithin(Duration limit, BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
