package io.vpccni.policy.controller;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpointLabels;
import io.vpccni.policy.endpoint.PolicyRef;
import io.vpccni.policy.resolve.MatrixCluster;
import io.vpccni.policy.resolve.MatrixCluster.Step;
import io.vpccni.policy.resolve.Resolution;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The e2e matrix ({@link MatrixCluster}) on fabric8's mock API server (CRUD mode): the same steps applied to the model
 * and through the API, the PolicyEndpoints the server holds and the ones the resolver expects, in one comparable form.
 */
final class ApiCluster {

    private final KubernetesClient client;
    MatrixCluster model = new MatrixCluster();

    ApiCluster(KubernetesClient client) {
        this.client = client;
        // The CRD first: the mock server then knows policyendpoints are namespaced. The first request to a fresh mock
        // server can be slow enough on a loaded machine for the client to send it again: a second create is no error.
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(PolicyEndpoint.PLURAL + "." + PolicyEndpoint.GROUP).endMetadata()
                .withNewSpec().withGroup(PolicyEndpoint.GROUP).withScope("Namespaced")
                .withNewNames().withKind(PolicyEndpoint.KIND).withPlural(PolicyEndpoint.PLURAL)
                .withSingular("policyendpoint").withListKind("PolicyEndpointList").endNames()
                .addNewVersion().withName(PolicyEndpoint.VERSION).withServed(true).withStorage(true).endVersion()
                .endSpec().build()).createOr(NonDeletingOperation::update);
        model.namespaces().forEach(ns -> client.namespaces().resource(ns).create());
        model.pods().forEach(p -> client.pods().inNamespace(p.getMetadata().getNamespace()).resource(p).create());
    }

    /** Back to the matrix's first state: no policy, every label as it was (only changed ones are written). */
    void reset() {
        client.network().v1().networkPolicies().inAnyNamespace().list().getItems().forEach(p ->
                client.network().v1().networkPolicies().inNamespace(p.getMetadata().getNamespace())
                        .withName(p.getMetadata().getName()).delete());
        MatrixCluster before = model;
        model = new MatrixCluster();
        for (int i = 0; i < model.namespaces().size(); i++) {
            Namespace ns = model.namespaces().get(i);
            if (!ns.getMetadata().getLabels().equals(before.namespaces().get(i).getMetadata().getLabels())) {
                apply(new Step.LabelNamespace(ns.getMetadata().getName(), ns.getMetadata().getLabels()));
            }
        }
        for (int i = 0; i < model.pods().size(); i++) {
            Pod p = model.pods().get(i);
            if (!p.getMetadata().getLabels().equals(before.pods().get(i).getMetadata().getLabels())) {
                apply(new Step.LabelPod(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(),
                        p.getMetadata().getLabels()));
            }
        }
    }

    void apply(Step step) {
        model.apply(step);
        switch (step) {
            case Step.AddPolicy add -> {
                NetworkPolicy p = add.policy();
                client.network().v1().networkPolicies().inNamespace(p.getMetadata().getNamespace()).resource(p)
                        .createOr(existing -> existing.update());
            }
            case Step.DeletePolicy del ->
                    client.network().v1().networkPolicies().inNamespace(del.namespace()).withName(del.name()).delete();
            case Step.LabelPod label -> {
                String[] ref = label.pod().split("/");
                client.pods().inNamespace(ref[0]).withName(ref[1]).edit(p -> new PodBuilder(p).editMetadata()
                        .withLabels(label.labels()).endMetadata().build());
            }
            case Step.LabelNamespace label -> client.namespaces().withName(label.namespace()).edit(n ->
                    new NamespaceBuilder(n).editMetadata().withLabels(label.labels()).endMetadata().build());
            case Step.Expect e -> { }
        }
    }

    /** One object as compared: its spec, its labels and the uid of the policy owning it. */
    record Written(PolicyEndpoint spec, Map<String, String> labels, String ownerUid) {}

    /** The PolicyEndpoints our controller wrote (its label), by namespace/name. */
    Map<String, Written> written() {
        return client.genericKubernetesResources(PolicyController.POLICY_ENDPOINTS).inAnyNamespace()
                .withLabel(PolicyEndpointLabels.POLICY_NAME).list().getItems().stream()
                .collect(Collectors.toMap(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(),
                        ApiCluster::written, (a, b) -> a, TreeMap::new));
    }

    private static Written written(GenericKubernetesResource r) {
        ExistingEndpoint e = PolicyController.existing(r);
        return new Written(e.spec().orElse(null), e.labels(), e.ownerUid().orElse(null));
    }

    /** What the resolver makes of the model, with the uids the server gave the policies. */
    Map<String, Written> expected() {
        Map<String, Written> out = new TreeMap<>();
        for (Resolution r : model.resolveAll().values()) {
            if (r instanceof Resolution.Resolved resolved) {
                String uid = uid(r.policy());
                resolved.endpoints().forEach(e -> out.put(e.endpoint().namespace() + "/" + e.endpoint().name(),
                        new Written(e.endpoint(), e.labels(), uid)));
            }
        }
        return out;
    }

    String uid(PolicyRef ref) {
        return client.network().v1().networkPolicies().inNamespace(ref.namespace()).withName(ref.name()).get()
                .getMetadata().getUid();
    }

    static void await(BooleanSupplier condition, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + within.toSeconds() + " s waiting for " + what);
            }
            LockSupport.parkNanos(10_000_000);
        }
    }
}
