package io.vpccni.ipamd.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vpccni.eni.guard.BudgetShards;
import io.vpccni.eni.guard.CallBudget;
import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.eni.guard.ShardedBudget;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The EC2 budget's shards as Leases on fabric8's mock API server (CRUD mode, which checks resourceVersion on update
 * as an API server does): shards created then taken by update, a take on a stale version refused, a server that
 * cannot be reached leaving the node on its own rate, and every request within {@link RequiredPermissions#leases()}.
 */
@EnableKubernetesMockClient(crud = true)
class LeaseShardStoreTest {

    private static final String NAMESPACE = "kube-system";
    private static final String STORE_AGENT = "vpc-cni-ec2-budget-under-test";

    KubernetesClient client;
    KubernetesMockServer server;

    private KubernetesClient storeClient() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withUserAgent(STORE_AGENT).build()).build();
    }

    @Test
    void aShardIsCreatedOnceThenTakenByUpdateAndAStaleTakeIsRefused() {
        try (KubernetesClient nodeClient = storeClient()) {
            LeaseShardStore store = new LeaseShardStore(nodeClient, NAMESPACE);
            String name = BudgetShards.names("CreateNetworkInterface", 1).getFirst();
            Instant now = Instant.parse("2026-12-07T12:00:00Z");

            BudgetShards.Shard absent = store.read(name);
            assertThat(absent).isEqualTo(BudgetShards.Shard.absent(name));
            BudgetShards.Shard first = store.take(absent, "node-a", now, 4.0).orElseThrow();
            assertThat(store.take(absent, "node-b", now, 4.0)).as("created already").isEmpty();

            Lease lease = client.leases().inNamespace(NAMESPACE).withName(name).get();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("node-a");
            assertThat(lease.getMetadata().getAnnotations()).containsEntry(LeaseShardStore.TOKENS, "4.0");
            assertThat(lease.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
            assertThat(lease.getSpec().getRenewTime().toInstant()).isEqualTo(now);
            assertThat(lease.getMetadata().getLabels()).containsAllEntriesOf(LeaseShardStore.LABELS);
            assertThat(store.read(name)).isEqualTo(first);

            BudgetShards.Shard second = store.take(first, "node-b", now.plusSeconds(2), 3.5)
                    .orElseThrow();
            assertThat(second.holder()).contains("node-b");
            assertThat(second.tokens()).isEqualTo(3.5);
            assertThat(second.version()).isNotEqualTo(first.version());
            assertThat(store.take(first, "node-a", now.plusSeconds(2), 3.5))
                    .as("node-a's view is stale: node-b took the shard since").isEmpty();
            assertThat(store.read(name).holder()).contains("node-b");

            BudgetShards.Shard owing = store.take(second, "node-c", now.plusSeconds(3), -2.5).orElseThrow();
            assertThat(store.read(name)).as("tokens reserved by waiting nodes are kept below zero").isEqualTo(owing);
            assertThat(owing.tokens()).isEqualTo(-2.5);
        }
    }

    @Test
    void twoNodesBudgetingThroughTheApiServerTakeDistinctShardsWithinTheGrantedVerbs() throws Exception {
        try (KubernetesClient nodeClient = storeClient()) {
            ShardedBudget.Settings settings = ShardedBudget.Settings.ec2Defaults();
            List<ShardedBudget> nodes = List.of(
                    new ShardedBudget(new LeaseShardStore(nodeClient, NAMESPACE), "node-a", settings, Ec2Guard.Time.SYSTEM),
                    new ShardedBudget(new LeaseShardStore(nodeClient, NAMESPACE), "node-b", settings, Ec2Guard.Time.SYSTEM));
            Set<String> shards = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                CallBudget.Grant grant = nodes.get(i % 2).acquire("AttachNetworkInterface");
                assertThat(grant).isInstanceOf(CallBudget.Grant.Shared.class);
                shards.add(((CallBudget.Grant.Shared) grant).shard());
            }
            assertThat(shards).as("each node takes from the first shard it finds with tokens").hasSize(2);
            assertThat(client.leases().inNamespace(NAMESPACE).list().getItems())
                    .extracting(l -> l.getSpec().getHolderIdentity()).containsOnly("node-a", "node-b").hasSize(2);

            Set<RequiredPermissionsTest.Access> made = new HashSet<>();
            for (RecordedRequest r; (r = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null; ) {
                if (STORE_AGENT.equals(r.getHeader("User-Agent"))) {
                    made.add(RequiredPermissionsTest.access(r.getMethod(), r.getPath()));
                    assertThat(r.getPath()).as("in ipamd's namespace only").startsWith(
                            "/apis/coordination.k8s.io/v1/namespaces/" + NAMESPACE + "/leases");
                }
            }
            Set<RequiredPermissionsTest.Access> granted = new HashSet<>();
            RequiredPermissions.leases().forEach(rule -> rule.verbs().forEach(verb ->
                    granted.add(new RequiredPermissionsTest.Access(rule.apiGroup(), rule.resource(), verb))));
            assertThat(granted).containsAll(made);
            assertThat(made).extracting(RequiredPermissionsTest.Access::verb).contains("get", "create");
        }
    }

    /**
     * kube-apiserver creates a Lease updated after it was deleted (Leases allow create on update:
     * Ec2BudgetLeasesTest on Kubernetes in the box sees 201); this mock answers 404. Either way the node takes from
     * the shard again, on the shared budget, and never mistakes the reset for an unreachable store.
     */
    @Test
    void aShardDeletedSinceItWasReadIsReadAgainAndCreatedNotAStoreFailure() throws Exception {
        try (KubernetesClient nodeClient = storeClient()) {
            LeaseShardStore store = new LeaseShardStore(nodeClient, NAMESPACE);
            String name = BudgetShards.names("CreateNetworkInterface", 1).getFirst();
            Instant now = Instant.parse("2026-12-07T12:00:00Z");
            BudgetShards.Shard first = store.take(store.read(name), "node-a", now, 4.0).orElseThrow();
            client.leases().inNamespace(NAMESPACE).withName(name).delete();
            assertThat(store.take(first, "node-a", now.plusSeconds(1), 3.0)).as("a take of the deleted shard")
                    .isEmpty();

            ShardedBudget budget = new ShardedBudget(store, "node-b", ShardedBudget.Settings.ec2Defaults(),
                    Ec2Guard.Time.SYSTEM);
            CallBudget.Grant before = budget.acquire("CreateNetworkInterface");
            assertThat(before).isInstanceOf(CallBudget.Grant.Shared.class);
            String shard = ((CallBudget.Grant.Shared) before).shard();
            client.leases().inNamespace(NAMESPACE).withName(shard).delete();
            assertThat(budget.acquire("CreateNetworkInterface")).as("the take after the reset")
                    .isEqualTo(new CallBudget.Grant.Shared(shard));
            assertThat(budget.localGrants()).isEmpty();
            Lease lease = client.leases().inNamespace(NAMESPACE).withName(shard).get();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("node-b");
            assertThat(lease.getMetadata().getAnnotations()).as("created again full, less the take")
                    .containsEntry(LeaseShardStore.TOKENS, "4.0");
        }
    }

    @Test
    void aNodeThatCannotReachTheApiServerGoesOnItsOwnRate() throws Exception {
        try (KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("https://127.0.0.1:1").withRequestTimeout(2_000).withConnectionTimeout(2_000)
                .withRequestRetryBackoffLimit(0).build()).build()) {
            ShardedBudget budget = new ShardedBudget(new LeaseShardStore(unreachable, NAMESPACE), "node-a",
                    ShardedBudget.Settings.ec2Defaults(), Ec2Guard.Time.SYSTEM);
            assertThat(budget.acquire("CreateNetworkInterface"))
                    .isEqualTo(new CallBudget.Grant.Local("shard store unreachable"));
        }
    }
}
