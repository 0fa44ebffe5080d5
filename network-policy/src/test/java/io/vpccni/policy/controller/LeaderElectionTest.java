package io.vpccni.policy.controller;

import static io.vpccni.policy.controller.ApiCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.vpccni.policy.resolve.MatrixCluster.Step;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two controller replicas, each with its own client, competing for one Lease: only the holder writes; when the holder
 * dies (its client closed abruptly, the lease neither renewed nor released) the other takes the lease once it expires
 * and carries on writing.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {

    /**
     * Shorter than the defaults, in their proportions, yet long enough that a loaded build machine (a renewal late by
     * a second) does not hand the lease over by itself.
     */
    static final LeaderElection.Timing SHORT = new LeaderElection.Timing(Duration.ofSeconds(4),
            Duration.ofSeconds(3), Duration.ofMillis(500));

    KubernetesMockServer server;
    KubernetesClient client;
    final List<AutoCloseable> closing = new ArrayList<>();

    record Replica(String name, KubernetesClient client, PolicyController controller, LeaderElection election) {}

    Replica replica(String name) {
        KubernetesClient own = server.createClient();
        PolicyController controller = new PolicyController(own, PolicyControllerTest.FAST, Clock.systemUTC());
        LeaderElection election = new LeaderElection(own, "kube-system", Main.LEASE_NAME, name, SHORT,
                controller::startWriting, controller::stopWriting);
        closing.add(election);
        closing.add(controller);
        closing.add(own);
        controller.start();
        await(controller::watching, Duration.ofSeconds(10), name + "'s watches");
        election.start();
        return new Replica(name, own, controller, election);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @Test
    void oneReplicaWritesAndTheOtherTakesOverWhenItDies() {
        ApiCluster cluster = new ApiCluster(client);
        Replica first = replica("replica-1");
        Replica second = replica("replica-2");
        Duration patience = Duration.ofSeconds(20);

        await(() -> first.controller().leading() || second.controller().leading(), patience, "a leader");
        Replica leader = first.controller().leading() ? first : second;
        Replica follower = leader == first ? second : first;
        cluster.apply(new Step.AddPolicy("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny-x, namespace: x}
                spec: {podSelector: {}, policyTypes: [Ingress]}"""));
        await(() -> cluster.written().equals(cluster.expected()), patience, "the leader's objects");
        assertThat(cluster.written()).hasSize(2);
        assertThat(follower.controller().leading()).isFalse();
        assertThat(follower.controller().writes()).isZero();
        assertThat(leader.controller().writes()).isEqualTo(2);
        assertThat(client.leases().inNamespace("kube-system").withName(Main.LEASE_NAME).get().getSpec()
                .getHolderIdentity()).isEqualTo(leader.name());

        // killed: no release, no more renewals, no more watches
        leader.client().close();
        await(() -> follower.controller().leading(), patience, follower.name() + " taking over");
        assertThat(client.leases().inNamespace("kube-system").withName(Main.LEASE_NAME).get().getSpec()
                .getHolderIdentity()).isEqualTo(follower.name());
        cluster.apply(new Step.AddPolicy("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny-y, namespace: y}
                spec: {podSelector: {}, policyTypes: [Egress]}"""));
        await(() -> cluster.written().equals(cluster.expected()), patience, "the new leader's objects");
        assertThat(cluster.written()).hasSize(4);
        assertThat(follower.controller().writes()).isEqualTo(2);
        await(() -> !leader.controller().leading(), patience, "the dead leader to stop leading");
    }

    /**
     * Every call the elector makes on its Lease is one the Role grants (ControllerPermissions): fabric8's lock renews
     * with a PATCH, which a Role of get, create and update refused on a real API server (the mock server checks no
     * RBAC, so only the recorded requests show it).
     */
    @Test
    void everyLeaseCallIsOneTheRoleGrants() throws Exception {
        Replica only = replica("replica-1");
        await(() -> only.controller().leading(), Duration.ofSeconds(20), "the leader");
        String firstRenewal = client.leases().inNamespace("kube-system").withName(Main.LEASE_NAME).get().getSpec()
                .getRenewTime().toString();
        await(() -> !firstRenewal.equals(client.leases().inNamespace("kube-system").withName(Main.LEASE_NAME).get()
                .getSpec().getRenewTime().toString()), Duration.ofSeconds(20), "a renewal");
        java.util.Set<String> verbs = new java.util.TreeSet<>();
        for (var request = server.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS); request != null;
             request = server.takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (request.getPath().contains("/namespaces/kube-system/leases")) {
                verbs.add(switch (request.getMethod()) {
                    case "GET" -> "get";
                    case "POST" -> "create";
                    case "PUT" -> "update";
                    case "PATCH" -> "patch";
                    case "DELETE" -> "delete";
                    default -> request.getMethod();
                });
            }
        }
        java.util.Set<String> granted = new java.util.TreeSet<>(ControllerPermissions.OWN_NAMESPACE.getFirst().verbs());
        assertThat(verbs).as("the lease calls made").contains("create", "patch");
        assertThat(granted).as("the Role's verbs on leases").containsAll(verbs);
    }
}
