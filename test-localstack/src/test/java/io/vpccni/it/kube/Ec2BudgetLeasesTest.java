package io.vpccni.it.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.vpccni.eni.guard.BudgetShards;
import io.vpccni.eni.guard.CallBudget;
import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.eni.guard.ShardedBudget;
import io.vpccni.ipamd.config.EniSettings;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.k8s.KubernetesLink;
import io.vpccni.ipamd.k8s.RequiredPermissions;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The account's EC2 budget on Leases (VPC_CNI_EC2_BUDGET_LEASES) on a real API server, {@link SharedKube}'s, after
 * its other classes (it needs the control plane only, and leaves the cluster as it found it). The unit tests met
 * fabric8's mock server, which neither authorises nor serialises writers as kube-apiserver does; here ipamd's
 * {@code LeaseShardStore}, built as the daemon builds it ({@link KubernetesLink#ec2Budget}), runs as the DaemonSet's
 * service account, with a token from the TokenRequest API, under the shipped Role (deploy/manifests/ec2-budget).
 *
 * <p>What ipamd needs, and no more: leases get, create and update in its own namespace; what it must not have
 * (list, watch, patch, delete, any other namespace) is refused, both as the authoriser answers a
 * SelfSubjectAccessReview and as a real request meets it (403). Then several nodes' budgets take tokens of one
 * budgeted API as fast as they can: whatever they do, the takes never exceed EC2's bucket (capacity + rate x time
 * since the start, and each shard its tenth), the API server's 409 answers to nodes that took from a shard another
 * had changed are handled (a read and another shard, never a fallback to the node's own rate), and the Leases hold
 * the last taker and its tokens afterwards. Last, a shard deleted since a node took from it (an administrator
 * resetting the budget) is taken again on the shared budget: kube-apiserver creates a Lease updated after its
 * deletion (201), where fabric8's mock answers 404 (LeaseShardStoreTest covers that answer).
 *
 * <p>Least privilege, as the daemon needs it: {@link RequiredPermissions#leases()}, nothing else on leases.
 */
@Tag("privileged")
@ExtendWith(SharedKube.class)
@Order(Integer.MAX_VALUE)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Ec2BudgetLeasesTest {

    private static final String NAMESPACE = "kube-system";
    /** The DaemonSet's service account, which the shipped RoleBinding names. */
    private static final String SERVICE_ACCOUNT = "vpc-cni";
    private static final String API = "CreateNetworkInterface";
    private static final String TOKENS = "vpc-cni.io/ec2-budget-tokens";
    /** LeaseShardStore's label: how the cleanup finds every Lease this class made. */
    private static final String COMPONENT = "app.kubernetes.io/component";
    private static final String BUDGET = "ec2-budget";
    private static final int NODES = 4;
    /** Long enough to take the whole burst and several seconds of refill: the bound is met, not only approached. */
    private static final Duration RUN = Duration.ofSeconds(8);
    private static final Duration RBAC_BOUND = Duration.ofSeconds(20);

    private KubeInABox kube;
    private long classStarted;
    private Path role;
    private boolean createdServiceAccount;
    private String token;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** A request a service-account client sent and the API server's answer. */
    private record Exchange(String method, String path, int code) {}

    @BeforeAll
    void applyTheRoleAndGetTheServiceAccountsToken() throws Exception {
        classStarted = System.nanoTime();
        kube = SharedKube.kube();
        deleteBudgetLeases();
        if (kube.client().serviceAccounts().inNamespace(NAMESPACE).withName(SERVICE_ACCOUNT).get() == null) {
            // Alone (-Dtest=...) the chart was never applied; with the other classes it was, and stays.
            kube.client().serviceAccounts().inNamespace(NAMESPACE).resource(new ServiceAccountBuilder()
                    .withNewMetadata().withName(SERVICE_ACCOUNT).withNamespace(NAMESPACE).endMetadata().build())
                    .create();
            createdServiceAccount = true;
        }
        role = kube.tools().repository().resolve("deploy/manifests/ec2-budget/role.yaml");
        kube.kubectl("apply", "-f", role.toString()).orThrow();
        token = kube.client().serviceAccounts().inNamespace(NAMESPACE).withName(SERVICE_ACCOUNT)
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(600L).endSpec().build())
                .getStatus().getToken();
        // The authoriser learns a new RoleBinding through its informer: wait for it, bounded.
        KubernetesClient asIpamd = serviceAccountClient(new ConcurrentLinkedQueue<>());
        long deadline = System.nanoTime() + RBAC_BOUND.toNanos();
        while (!allowed(asIpamd, "get", NAMESPACE)) {
            assertThat(System.nanoTime()).as("the Role granted within %s", RBAC_BOUND).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @AfterAll
    void removeTheLeasesAndTheRole() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
        deleteBudgetLeases();
        kube.kubectl("delete", "--ignore-not-found", "-f", role.toString()).orThrow();
        if (createdServiceAccount) {
            kube.client().serviceAccounts().inNamespace(NAMESPACE).withName(SERVICE_ACCOUNT).delete();
        }
        assertThat(kube.client().leases().inNamespace(NAMESPACE).withLabel(COMPONENT, BUDGET).list().getItems())
                .as("budget Leases left").isEmpty();
        assertThat(kube.client().rbac().roles().inNamespace(NAMESPACE).withName("vpc-cni-ec2-budget").get())
                .as("the Role left").isNull();
        log(String.format("class done in %.1f s", (System.nanoTime() - classStarted) / 1e9));
    }

    @Test
    @Order(1)
    void theServiceAccountMayGetCreateAndUpdateLeasesInItsNamespaceAndNothingMore() {
        Set<String> needed = RequiredPermissions.leases().getFirst().verbs();
        assertThat(needed).containsExactlyInAnyOrder("get", "create", "update");
        KubernetesClient asIpamd = serviceAccountClient(new ConcurrentLinkedQueue<>());
        Map<String, Boolean> expected = new TreeMap<>();
        Map<String, Boolean> granted = new TreeMap<>();
        for (String verb : List.of("get", "list", "watch", "create", "update", "patch", "delete",
                "deletecollection")) {
            for (String namespace : List.of(NAMESPACE, "default", "")) {
                String key = verb + " leases in " + (namespace.isEmpty() ? "every namespace" : namespace);
                expected.put(key, namespace.equals(NAMESPACE) && needed.contains(verb));
                granted.put(key, allowed(asIpamd, verb, namespace));
            }
        }
        assertThat(granted).as("what the authoriser grants %s:%s", NAMESPACE, SERVICE_ACCOUNT).isEqualTo(expected);

        // The same as real requests meet it.
        String name = BudgetShards.names("RbacProbe", 1).getFirst();
        var leases = asIpamd.leases().inNamespace(NAMESPACE);
        Lease created = leases.resource(new LeaseBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .withLabels(Map.of("app.kubernetes.io/name", "vpc-cni", COMPONENT, BUDGET))
                .endMetadata().withNewSpec().withHolderIdentity("probe").endSpec().build()).create();
        Lease read = leases.withName(name).get();
        assertThat(read.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
        read.getSpec().setHolderIdentity("probe-updated");
        Lease updated = leases.resource(read).update();
        assertThat(updated.getSpec().getHolderIdentity()).isEqualTo("probe-updated");
        assertForbidden("delete", () -> leases.withName(name).delete());
        assertForbidden("list", () -> leases.list());
        assertForbidden("list in every namespace", () -> asIpamd.leases().inAnyNamespace().list());
        assertForbidden("patch", () -> leases.withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"holderIdentity\":\"patched\"}}"));
        assertForbidden("get in default", () -> asIpamd.leases().inNamespace("default").withName(name).get());
        assertThat(kube.client().leases().inNamespace(NAMESPACE).withName(name).get().getSpec().getHolderIdentity())
                .as("the Lease after the refused delete and patch").isEqualTo("probe-updated");
    }

    @Test
    @Order(2)
    void nodesTakingAsFastAsTheyCanNeverExceedEc2sBucketAndHandleTheConflicts() throws Exception {
        deleteBudgetLeases(); // every shard starts full: the bound below counts from the start
        ShardedBudget.Settings settings = ShardedBudget.Settings.ec2Defaults();
        BudgetShards.Bucket bucket = settings.buckets().get(API);
        BudgetShards.Bucket shardBucket = bucket.split(settings.shards());
        ConcurrentLinkedQueue<Exchange> exchanges = new ConcurrentLinkedQueue<>();
        Map<String, ShardedBudget> budgets = new TreeMap<>();
        for (int i = 0; i < NODES; i++) {
            String node = "budget-node-" + i;
            budgets.put(node, budget(node, exchanges));
        }

        record Taken(Instant at, String node, CallBudget.Grant grant) {}
        ConcurrentLinkedQueue<Taken> taken = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Instant started = Clock.systemUTC().instant();
        long stopAt = System.nanoTime() + RUN.toNanos();
        List<Thread> threads = new ArrayList<>();
        budgets.forEach((node, budget) -> threads.add(Thread.ofPlatform().name("budget-" + node).start(() -> {
            try {
                while (System.nanoTime() < stopAt) {
                    CallBudget.Grant grant = budget.acquire(API);
                    taken.add(new Taken(Clock.systemUTC().instant(), node, grant));
                }
            } catch (InterruptedException | RuntimeException e) {
                failures.add(e);
            }
        })));
        for (Thread thread : threads) {
            // After the run a node may still wait for a shard's next token: two seconds, plus a jitter of two.
            thread.join(Duration.ofSeconds(30));
            assertThat(thread.isAlive()).as("%s still taking 30 s after the run", thread.getName()).isFalse();
        }
        Instant ended = Clock.systemUTC().instant();
        assertThat(failures).as("a node's acquire failed").isEmpty();

        // Every call went on the shared budget: a 409 the store did not handle would have sent the node to its
        // own rate ("shard store unreachable"), a 60 s wait too.
        assertThat(taken).extracting(Taken::grant).allMatch(g -> g instanceof CallBudget.Grant.Shared);
        budgets.forEach((node, budget) -> assertThat(budget.localGrants()).as("%s's calls on its own rate", node)
                .isEmpty());
        List<Taken> inOrder = taken.stream().sorted(Comparator.comparing(Taken::at)).toList();
        double elapsed = Duration.between(started, ended).toNanos() / 1e9;
        assertThat(inOrder).as("the nodes took the whole burst and some refill: the bound was reached, not only "
                + "approached").hasSizeGreaterThan((int) bucket.capacity());

        // EC2's bucket: by any moment t, at most capacity + rate x (t - start) calls, and each shard its share.
        // A grant is seen after its take was written, so its moment here is no earlier than the take's.
        Map<String, Integer> perShard = new HashMap<>();
        for (int k = 0; k < inOrder.size(); k++) {
            Taken t = inOrder.get(k);
            double since = Duration.between(started, t.at()).toNanos() / 1e9;
            assertThat(k + 1.0).as("calls granted by %s (%.3f s)", t.at(), since)
                    .isLessThanOrEqualTo(bucket.capacity() + bucket.refillPerSecond() * since);
            String shard = ((CallBudget.Grant.Shared) t.grant()).shard();
            int ofShard = perShard.merge(shard, 1, Integer::sum);
            assertThat((double) ofShard).as("calls granted from %s by %.3f s", shard, since)
                    .isLessThanOrEqualTo(shardBucket.capacity() + shardBucket.refillPerSecond() * since);
        }

        // What the nodes sent: only what the Role grants, each grant exactly one write the API server accepted,
        // and the losers of a race told so with 409.
        String leasePath = "/apis/coordination.k8s.io/v1/namespaces/" + NAMESPACE + "/leases";
        assertThat(exchanges).allSatisfy(e -> {
            assertThat(e.path()).startsWith(leasePath);
            assertThat(e.method()).isIn("GET", "POST", "PUT");
            assertThat(e.code()).as("%s %s", e.method(), e.path()).isIn(200, 201, 404, 409);
        });
        Map<String, Long> byAnswer = exchanges.stream().collect(Collectors.groupingBy(
                e -> e.method() + " " + e.code(), TreeMap::new, Collectors.counting()));
        long writes = byAnswer.getOrDefault("POST 201", 0L) + byAnswer.getOrDefault("PUT 200", 0L);
        assertThat(writes).as("writes accepted (%s)", byAnswer).isEqualTo(inOrder.size());
        assertThat(byAnswer.getOrDefault("PUT 409", 0L)).as("updates refused for a version another node changed (%s)",
                byAnswer).isPositive();

        // The Leases afterwards: each shard taken from holds its last taker, when, and the tokens it left.
        Map<String, Lease> leases = kube.client().leases().inNamespace(NAMESPACE).withLabel(COMPONENT, BUDGET).list()
                .getItems().stream().collect(Collectors.toMap(l -> l.getMetadata().getName(), l -> l));
        assertThat(leases.keySet()).as("the budget's Leases").isEqualTo(perShard.keySet())
                .isSubsetOf(BudgetShards.names(API, settings.shards()));
        Map<String, Set<String>> takers = new HashMap<>();
        inOrder.forEach(t -> takers.computeIfAbsent(((CallBudget.Grant.Shared) t.grant()).shard(),
                s -> new TreeSet<>()).add(t.node()));
        leases.forEach((name, lease) -> {
            assertThat(lease.getSpec().getHolderIdentity()).as("%s's holder", name).isIn(takers.get(name));
            Instant renewed = lease.getSpec().getRenewTime().toInstant();
            assertThat(renewed).as("%s's last take", name).isBetween(started, ended);
            double left = Double.parseDouble(lease.getMetadata().getAnnotations().get(TOKENS));
            // Below zero: tokens reserved by nodes queued for the shard's next refills, at most one a node (each
            // node's thread waits for its one call's turn before it asks again).
            assertThat(left).as("%s's tokens left", name).isBetween((double) -NODES, shardBucket.capacity() - 1);
        });

        log(String.format("%d nodes took %d %s tokens in %.1f s (EC2's bucket allows %.0f); the API server "
                        + "answered %s; store requests %s",
                NODES, inOrder.size(), API, elapsed, bucket.capacity() + bucket.refillPerSecond() * elapsed, byAnswer,
                budgets.values().stream().map(ShardedBudget::storeRequests).toList()));
    }

    @Test
    @Order(3)
    void aShardDeletedSinceTheNodeLastTookFromItIsTakenAgainOnTheSharedBudget() throws Exception {
        deleteBudgetLeases();
        ConcurrentLinkedQueue<Exchange> exchanges = new ConcurrentLinkedQueue<>();
        ShardedBudget budget = budget("budget-node-reset", exchanges);
        CallBudget.Grant first = budget.acquire(API);
        assertThat(first).isInstanceOf(CallBudget.Grant.Shared.class);
        String shard = ((CallBudget.Grant.Shared) first).shard();

        // An administrator resets the budget (or uninstalls and reinstalls it): the node still knows the shard's
        // version and tokens, and takes from it next with an update carrying that version.
        deleteBudgetLeases();
        exchanges.clear();
        CallBudget.Grant second = budget.acquire(API);
        log("the take of a shard deleted since the node's last take: " + exchanges);
        assertThat(second).as("the take after the reset (the API server answered %s)", exchanges)
                .isEqualTo(new CallBudget.Grant.Shared(shard));
        assertThat(budget.localGrants()).as("calls on the node's own rate").isEmpty();
        Lease lease = kube.client().leases().inNamespace(NAMESPACE).withName(shard).get();
        assertThat(lease).as("%s after the take", shard).isNotNull();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("budget-node-reset");
        // Two takes from the shard as the node knew it, or one from the shard created again full.
        ShardedBudget.Settings settings = ShardedBudget.Settings.ec2Defaults();
        double capacity = settings.buckets().get(API).split(settings.shards()).capacity();
        assertThat(Double.parseDouble(lease.getMetadata().getAnnotations().get(TOKENS))).as("%s's tokens left", shard)
                .isBetween(capacity - 2, capacity - 1);
    }

    /**
     * A node's budget as the daemon builds it (VPC_CNI_EC2_BUDGET_LEASES on a client of its own, as each node's
     * ipamd has), through {@code exchanges}' recording client.
     */
    private ShardedBudget budget(String node, ConcurrentLinkedQueue<Exchange> exchanges) {
        EniSettings eni = IpamdConfig.fromEnvironment(Map.of("VPC_CNI_EC2_BUDGET_LEASES", "true",
                "MY_NODE_NAME", node)).eni();
        KubernetesLink link = new KubernetesLink(serviceAccountClient(exchanges), node, eni, false, Clock.systemUTC(),
                KubernetesLink.Options.DEFAULTS);
        opened.add(link);
        CallBudget budget = link.ec2Budget(Ec2Guard.Time.SYSTEM);
        assertThat(budget).isInstanceOf(ShardedBudget.class);
        return (ShardedBudget) budget;
    }

    /** A client of the API server as the service account, its requests and answers recorded in {@code into}. */
    private KubernetesClient serviceAccountClient(ConcurrentLinkedQueue<Exchange> into) {
        Config admin = kube.client().getConfiguration();
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(admin.getMasterUrl())
                .withCaCertData(admin.getCaCertData()).withCaCertFile(admin.getCaCertFile())
                .withOauthToken(token).withNamespace(NAMESPACE).build();
        Interceptor recorder = new Interceptor() {
            @Override
            public void after(HttpRequest request, HttpResponse<?> response,
                              AsyncBody.Consumer<List<ByteBuffer>> consumer) {
                into.add(new Exchange(request.method(), request.uri().getPath(), response.code()));
            }
        };
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("exchanges", recorder)).build();
        opened.add(client);
        return client;
    }

    /** What the authoriser answers the client's SelfSubjectAccessReview for {@code verb} leases. */
    private static boolean allowed(KubernetesClient client, String verb, String namespace) {
        return client.authorization().v1().selfSubjectAccessReview().create(new SelfSubjectAccessReviewBuilder()
                .withNewSpec().withNewResourceAttributes().withGroup(RequiredPermissions.COORDINATION)
                .withResource("leases").withVerb(verb).withNamespace(namespace).endResourceAttributes().endSpec()
                .build()).getStatus().getAllowed();
    }

    private static void assertForbidden(String what, Runnable request) {
        assertThatThrownBy(request::run).as(what).isInstanceOfSatisfying(KubernetesClientException.class,
                e -> assertThat(e.getCode()).as("%s answered", what).isEqualTo(403));
    }

    private void deleteBudgetLeases() {
        kube.client().leases().inNamespace(NAMESPACE).withLabel(COMPONENT, BUDGET).delete();
    }

    private static void log(String line) {
        System.out.println("[kube] " + line);
    }
}
