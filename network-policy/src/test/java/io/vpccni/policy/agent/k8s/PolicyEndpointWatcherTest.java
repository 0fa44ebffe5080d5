package io.vpccni.policy.agent.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vpccni.policy.agent.EndpointSource;
import io.vpccni.policy.agent.PolicyAgent;
import io.vpccni.policy.agent.model.EnforcingMode;
import io.vpccni.policy.agent.model.LocalPod;
import io.vpccni.policy.agent.model.Rejection;
import io.vpccni.policy.agent.nft.NftApplier;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watcher against fabric8's mock API server (CRUD mode): which PolicyEndpoints reach the agent in each source
 * mode, changes and deletions after the list, events for an undecodable object, and the API calls it makes. The
 * agent's nft is {@code true}: what reached the agent shows in its status, which it computes when it applies.
 */
@EnableKubernetesMockClient(crud = true)
class PolicyEndpointWatcherTest {

    static final String NODE = "node-1";
    static final String NODE_IP = "10.0.0.10";
    static final String AGENT_UA = "vpc-cni-policy-agent-under-test";
    static final LocalPod POD = new LocalPod("10.0.1.5", Optional.of("eni0123456789a"), "shop", "web");

    KubernetesClient client;
    KubernetesMockServer server;
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    PolicyAgent agentWatching(EndpointSource source) {
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("policyendpoints.networking.k8s.aws").endMetadata()
                .withNewSpec().withGroup("networking.k8s.aws").withScope("Namespaced")
                .withNewNames().withKind("PolicyEndpoint").withPlural("policyendpoints").withSingular("policyendpoint")
                .withListKind("PolicyEndpointList").endNames()
                .addNewVersion().withName("v1alpha1").withServed(true).withStorage(true).endVersion()
                .endSpec().build()).createOr(existing -> existing.update());
        KubernetesClient agentClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
                client.getConfiguration()).withUserAgent(AGENT_UA).build()).build();
        PolicyEndpointWatcher watcher = new PolicyEndpointWatcher(agentClient, NODE, source, Clock.systemUTC());
        PolicyAgent agent = new PolicyAgent(new PolicyAgent.Settings(Optional.of(NODE_IP), EnforcingMode.STANDARD,
                source == EndpointSource.ALL, Duration.ofSeconds(1)),
                new NftApplier(List.of("true"), Duration.ofSeconds(10)), List.of(POD), watcher).start();
        open.add(agentClient);
        open.add(watcher);
        open.add(agent);
        watcher.start(agent);
        await(watcher::watching, "the informer lists and watches");
        return agent;
    }

    void put(String namespace, String name, Optional<String> nodeLabel, String hostIp, String podIp,
             List<Map<String, Object>> ingress) {
        Map<String, String> labels = new HashMap<>();
        nodeLabel.ifPresent(n -> labels.put(PolicyEndpointWatcher.NODE_LABEL, n));
        Map<String, Object> spec = Map.of(
                "policyRef", Map.of("name", name, "namespace", namespace),
                "podIsolation", List.of("Ingress"),
                "podSelectorEndpoints", List.of(Map.of("hostIP", hostIp, "podIP", podIp, "name", "p",
                        "namespace", namespace)),
                "ingress", ingress);
        client.genericKubernetesResources(PolicyEndpointWatcher.POLICY_ENDPOINTS).inNamespace(namespace)
                .resource(new GenericKubernetesResourceBuilder().withApiVersion("networking.k8s.aws/v1alpha1")
                        .withKind("PolicyEndpoint").withNewMetadata().withNamespace(namespace).withName(name)
                        .withLabels(labels).endMetadata().addToAdditionalProperties("spec", spec).build())
                .createOr(existing -> existing.update());
    }

    static Map<String, Object> rule(String cidr, String protocol) {
        return Map.of("cidr", cidr, "ports", List.of(Map.of("protocol", protocol, "port", 80)));
    }

    @Test
    void theNodeLabelSelectsThisNodesObjectsAndChangesFollowTheList() {
        put("shop", "mine", Optional.of(NODE), NODE_IP, POD.ip(), List.of(rule("10.0.2.0/24", "TCP")));
        put("shop", "theirs", Optional.of("node-2"), "10.0.0.11", "10.0.9.9", List.of());
        put("shop", "unlabelled", Optional.empty(), NODE_IP, POD.ip(), List.of());
        PolicyAgent agent = agentWatching(EndpointSource.NODE_LABEL);

        await(() -> agent.status().listed() && agent.status().endpoints() == 1, "the labelled object enforced");
        assertThat(agent.status().pods()).isEqualTo(1);

        put("shop", "second", Optional.of(NODE), NODE_IP, POD.ip(), List.of());
        await(() -> agent.status().endpoints() == 2, "a new object after the list");

        put("shop", "second", Optional.of(NODE), NODE_IP, POD.ip(), List.of(rule("10.0.2.0/24", "ICMP")));
        await(() -> agent.status().endpoints() == 1 && agent.status().rejected().size() == 1,
                "an undecodable update withdraws the object");
        Rejection rejected = agent.status().rejected().getFirst();
        assertThat(rejected.name()).isEqualTo("second");
        assertThat(rejected.problem()).contains("spec.ingress[0].ports[].protocol is ICMP");
        await(() -> client.v1().events().inNamespace("shop").list().getItems().stream().anyMatch(e ->
                e.getReason().equals(PolicyEndpointWatcher.REASON) && e.getInvolvedObject().getName().equals("second")
                        && e.getMessage().contains("protocol is ICMP")), "an event on the PolicyEndpoint");

        client.genericKubernetesResources(PolicyEndpointWatcher.POLICY_ENDPOINTS).inNamespace("shop")
                .withName("mine").delete();
        client.genericKubernetesResources(PolicyEndpointWatcher.POLICY_ENDPOINTS).inNamespace("shop")
                .withName("second").delete();
        await(() -> agent.status().endpoints() == 0 && agent.status().rejected().isEmpty(), "deletions");
        assertThat(agent.status().pods()).isZero();
    }

    @Test
    void withSourceAllTheObjectsWithAPodOnThisNodeAreKept() {
        put("shop", "unlabelled", Optional.empty(), NODE_IP, POD.ip(), List.of());
        put("shop", "elsewhere", Optional.empty(), "10.0.0.11", "10.0.9.9", List.of());
        PolicyAgent agent = agentWatching(EndpointSource.ALL);

        await(() -> agent.status().listed() && agent.status().endpoints() == 1, "the object with our hostIP");
        assertThat(agent.status().pods()).isEqualTo(1);
    }

    @Test
    void theWatcherMakesExactlyTheCallsItsPermissionsGrant() throws Exception {
        put("shop", "bad", Optional.of(NODE), NODE_IP, POD.ip(), List.of(rule("10.0.2.0/24", "ICMP")));
        while (server.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
            // the fixture's own requests
        }
        PolicyAgent agent = agentWatching(EndpointSource.NODE_LABEL);
        await(() -> agent.status().listed() && agent.status().rejected().size() == 1, "the list");

        record Access(String apiGroup, String resource, String verb) {}
        Set<Access> granted = AgentPermissions.RULES.stream().flatMap(r -> r.verbs().stream()
                .map(v -> new Access(r.apiGroup(), r.resource(), v))).collect(Collectors.toSet());
        Set<Access> made = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        RecordedRequest request;
        while (!made.containsAll(granted) && System.nanoTime() - deadline < 0
                || (request = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null && made.containsAll(granted)) {
            request = server.takeRequest(50, TimeUnit.MILLISECONDS);
            if (request == null || !AGENT_UA.equals(request.getHeader("User-Agent"))) {
                continue;
            }
            URI uri = URI.create(request.getPath());
            List<String> path = List.of(uri.getPath().replaceFirst("^/", "").split("/"));
            String group = path.getFirst().equals("api") ? "" : path.get(1);
            String resource = path.getLast().equals("events") ? "events" : path.get(path.size() - 1);
            String verb = switch (request.getMethod()) {
                case "POST" -> "create";
                case "GET" -> uri.getQuery() != null && uri.getQuery().contains("watch=true") ? "watch" : "list";
                default -> request.getMethod().toLowerCase(java.util.Locale.ROOT);
            };
            made.add(new Access(group, resource, verb));
        }
        assertThat(made).isEqualTo(granted);
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
