package io.vpccni.policy.controller;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Entry point of the policy controller (the image's {@code policy-controller} command; a Deployment of two replicas,
 * deploy/manifests/network-policy/): composes the client, the controller and the leader election, and exits when it
 * cannot go on, for the Deployment to restart it: the caches did not fill within {@link #SYNC_PATIENCE}, the lease
 * was lost (the other replica leads by then), or the election stopped. The only class that reads the process
 * environment or exits.
 *
 * <p>Environment: {@code POD_NAMESPACE} (where the lease lives) and {@code POD_NAME} (this replica's identity in it),
 * both from the downward API.
 */
public final class Main {

    static final String LEASE_NAME = "vpc-cni-policy-controller";
    /** A large cluster's pods list in well under a minute; longer means the API server is not answering us. */
    static final Duration SYNC_PATIENCE = Duration.ofMinutes(3);
    /** Bounds every API request, so no reconcile waits on a connection that went silent. */
    static final int REQUEST_TIMEOUT_MS = 10_000;

    private static volatile boolean stopping;

    private Main() {}

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        String namespace = required(env, "POD_NAMESPACE");
        String identity = required(env, "POD_NAME");
        Config config = Config.autoConfigure(null);
        config.setRequestTimeout(REQUEST_TIMEOUT_MS);
        config.setConnectionTimeout(REQUEST_TIMEOUT_MS);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        PolicyController controller = new PolicyController(client, PolicyController.Options.DEFAULTS,
                Clock.systemUTC());
        LeaderElection election = new LeaderElection(client, namespace, LEASE_NAME, identity,
                LeaderElection.Timing.DEFAULTS, controller::startWriting, () -> {
                    controller.stopWriting();
                    exit("lost the lease " + namespace + "/" + LEASE_NAME);
                });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            election.close();
            controller.close();
            client.close();
        }));

        controller.start();
        long deadline = System.nanoTime() + SYNC_PATIENCE.toNanos();
        while (!controller.synced()) {
            if (System.nanoTime() - deadline > 0) {
                exit("NetworkPolicies, pods, namespaces and PolicyEndpoints not listed within "
                        + SYNC_PATIENCE.toSeconds() + " s");
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        System.err.println("policy-controller: caches filled; " + identity + " competes for the lease " + namespace
                + "/" + LEASE_NAME);
        CompletableFuture<?> elected = election.start();
        try {
            elected.join();
            exit("the leader election ended");
        } catch (RuntimeException e) {
            exit("the leader election failed: " + e.getMessage());
        }
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            System.err.println("policy-controller: " + name + " is not set (the Deployment sets it from the downward "
                    + "API); not starting");
            System.exit(2);
        }
        return value;
    }

    private static void exit(String why) {
        if (stopping) {
            return; // the shutdown hook is closing us: exiting from it again would block
        }
        System.err.println("policy-controller: " + why + "; exiting for the Deployment to restart this replica");
        System.exit(1);
    }
}
