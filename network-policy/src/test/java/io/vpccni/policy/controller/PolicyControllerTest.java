package io.vpccni.policy.controller;

import static io.vpccni.policy.controller.ApiCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vpccni.policy.resolve.MatrixCluster.Step;
import io.vpccni.policy.resolve.PolicyCases;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class PolicyControllerTest {

    static final PolicyController.Options FAST = new PolicyController.Options(Duration.ofMillis(20),
            Duration.ofMillis(500));
    static final Duration PATIENCE = Duration.ofSeconds(10);

    KubernetesClient client;
    ApiCluster cluster;
    PolicyController controller;

    @BeforeEach
    void start() {
        cluster = new ApiCluster(client);
        controller = new PolicyController(client, FAST, Clock.systemUTC());
        controller.start();
        await(controller::watching, PATIENCE, "the controller's watches");
        controller.startWriting();
    }

    @AfterEach
    void stop() {
        controller.stopWriting();
    }

    void awaitExpected(String what) {
        try {
            await(() -> cluster.written().equals(cluster.expected()), PATIENCE, what);
        } catch (AssertionError e) {
            assertThat(cluster.written()).as(what).isEqualTo(cluster.expected());
        }
    }

    /** Every case of the resolver's table, replayed through the API server, one after the other on one controller. */
    @Test
    void afterEveryStepOfEveryCaseTheServerHoldsExactlyThePolicyEndpointsTheResolverExpects() {
        for (PolicyCases.Case c : PolicyCases.all()) {
            cluster.reset();
            int step = 0;
            for (Step s : c.steps()) {
                step++;
                cluster.apply(s);
                if (s instanceof Step.Expect) {
                    awaitExpected("step " + step + " of \"" + c.name() + "\"");
                }
            }
        }
        cluster.reset();
        awaitExpected("every policy deleted");
        assertThat(cluster.written()).isEmpty();
    }

    @Test
    void anUnchangedObjectIsNotRewrittenAndOneChangedByHandIsRestored() {
        cluster.apply(new Step.AddPolicy("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny-ingress, namespace: x}
                spec: {podSelector: {}, policyTypes: [Ingress]}"""));
        awaitExpected("the deny-ingress policy's objects");
        Map<String, ApiCluster.Written> before = cluster.written();
        long writes = controller.writes();
        assertThat(before).hasSize(2);
        assertThat(writes).isEqualTo(2);

        // a change that matters to no object of the policy: a reconcile runs, nothing is written
        var api = client.genericKubernetesResources(PolicyController.POLICY_ENDPOINTS);
        String name = before.keySet().iterator().next().split("/")[1];
        String version = api.inNamespace("x").withName(name).get().getMetadata().getResourceVersion();
        long passes = controller.passes();
        cluster.apply(new Step.LabelNamespace("y", Map.of("ns", "y", "extra", "1")));
        cluster.apply(new Step.AddPolicy(nothingSelected()));
        await(() -> controller.passes() > passes, PATIENCE, "a reconcile after the changes");
        assertThat(controller.writes()).isEqualTo(writes);
        assertThat(api.inNamespace("x").withName(name).get().getMetadata().getResourceVersion()).isEqualTo(version);
        assertThat(cluster.written()).isEqualTo(before);

        // edited by hand: rewritten; deleted by hand: created again
        api.inNamespace("x").withName(name).edit(r -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
            spec.put("podIsolation", List.of("Egress"));
            return r;
        });
        awaitExpected("the edited object restored");
        api.inNamespace("x").withName(name).delete();
        awaitExpected("the deleted object created again");

        // an object of another controller (EKS's: without our label) is left alone
        GenericKubernetesResource foreign = new GenericKubernetesResourceBuilder()
                .withApiVersion("networking.k8s.aws/v1alpha1").withKind("PolicyEndpoint")
                .withNewMetadata().withNamespace("x").withName("eks-managed").endMetadata()
                .addToAdditionalProperties("spec", Map.of("policyRef", Map.of("name", "gone", "namespace", "x")))
                .build();
        api.inNamespace("x").resource(foreign).create();
        cluster.apply(new Step.DeletePolicy("x", "deny-ingress"));
        awaitExpected("the policy's objects deleted with it");
        assertThat(api.inNamespace("x").withName("eks-managed").get()).isNotNull();
    }

    private static String nothingSelected() {
        return """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: nobody, namespace: y}
                spec:
                  podSelector: {matchLabels: {pod: nobody}}""";
    }

    @Test
    void aPolicyThatCannotBeResolvedGetsOneWarningEventAndKeepsItsObjects() {
        cluster.apply(new Step.AddPolicy("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: from-block, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from: [{ipBlock: {cidr: 10.0.2.0/24}}]"""));
        awaitExpected("the valid policy's object");
        Map<String, ApiCluster.Written> valid = cluster.written();

        client.network().v1().networkPolicies().inNamespace("x").withName("from-block").edit(p -> {
            p.getSpec().getIngress().getFirst().getFrom().getFirst().getIpBlock().setCidr("10.0.2.0/40");
            return p;
        });
        await(() -> !events().isEmpty(), PATIENCE, "a Warning event on the policy");
        // more passes (a label change) write no second event for the same reason
        long passes = controller.passes();
        cluster.apply(new Step.LabelPod("y/a", Map.of("pod", "a", "more", "1")));
        await(() -> controller.passes() > passes, PATIENCE, "a reconcile after the label change");

        assertThat(events()).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo(PolicyController.UNRESOLVABLE_REASON);
            assertThat(e.getInvolvedObject().getKind()).isEqualTo("NetworkPolicy");
            assertThat(e.getInvolvedObject().getName()).isEqualTo("from-block");
            assertThat(e.getMessage()).contains("spec.ingress[0].from[0].ipBlock.cidr")
                    .contains("prefix length 40 is out of range");
        });
        assertThat(cluster.written()).isEqualTo(valid);
    }

    private List<Event> events() {
        return client.v1().events().inNamespace("x").list().getItems();
    }
}
