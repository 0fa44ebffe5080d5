package io.vpccni.ipamd.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.ipamd.config.EniSettings;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.AllocationKey;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.ipamd.datastore.PodRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Fixtures on fabric8's mock API server (CRUD mode): the ENIConfig CRD, nodes, ENIConfigs, pods, and the link. */
final class MockCluster {

    static final String NODE = "ip-10-0-0-1.ec2.internal";
    static final String LABEL = "k8s.amazonaws.com/eniConfig";
    /** Long enough that the link's own loop never runs during a test: tests call reconcileOnce themselves. */
    static final KubernetesLink.Options MANUAL = new KubernetesLink.Options(Duration.ofHours(1),
            Duration.ofMinutes(2), Duration.ofMinutes(10), false);

    private final KubernetesClient client;

    /**
     * One mock server per test (a server shared by a class stalls for 30 s when a watch closes while it writes to
     * it); the ENIConfig CRD is registered first so the server knows eniconfigs are cluster-scoped.
     */
    MockCluster(KubernetesClient client) {
        this.client = client;
        client.apiextensions().v1().customResourceDefinitions().resource(eniConfigCrd()).create();
    }

    static CustomResourceDefinition eniConfigCrd() {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(EniConfig.PLURAL + "." + EniConfig.GROUP).endMetadata()
                .withNewSpec().withGroup(EniConfig.GROUP).withScope("Cluster")
                .withNewNames().withKind(EniConfig.KIND).withPlural(EniConfig.PLURAL).withSingular("eniconfig")
                .withListKind("ENIConfigList").endNames()
                .addNewVersion().withName(EniConfig.VERSION).withServed(true).withStorage(true).endVersion()
                .endSpec().build();
    }

    static EniSettings eniSettings(boolean customNetworking) {
        return IpamdConfig.fromEnvironment(Map.of("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",
                Boolean.toString(customNetworking))).eni();
    }

    KubernetesLink link(boolean customNetworking, boolean annotate, Clock clock) {
        return new KubernetesLink(client, NODE, eniSettings(customNetworking), annotate, clock, MANUAL);
    }

    void node(Map<String, String> labels, Map<String, String> annotations, List<Taint> taints) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).withLabels(labels)
                .withAnnotations(annotations).endMetadata().withNewSpec().withTaints(taints).endSpec().build())
                .createOr(existing -> existing.update());
    }

    void eniConfig(String name, Map<String, Object> spec) {
        client.genericKubernetesResources(InformedCluster.ENI_CONFIGS).resource(new GenericKubernetesResourceBuilder()
                .withApiVersion(EniConfig.GROUP + "/" + EniConfig.VERSION).withKind(EniConfig.KIND)
                .withNewMetadata().withName(name).endMetadata()
                .addToAdditionalProperties("spec", spec).build()).create();
    }

    /** Creates a pod; returns its uid, which the server assigns. */
    String pod(String namespace, String name, String nodeName) {
        return client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withNamespace(namespace)
                .withName(name).endMetadata().withNewSpec().withNodeName(nodeName)
                .addNewContainer().withName("app").withImage("busybox").endContainer().endSpec().build()).create()
                .getMetadata().getUid();
    }

    void deletePod(String namespace, String name) {
        client.pods().inNamespace(namespace).withName(name).delete();
    }

    static Allocation allocation(String namespace, String name, String uid, String ip) {
        return new Allocation(new AllocationKey("aws-cni", "c-" + name, "eth0"), new PodRef(namespace, name, uid),
                Ipv4Address.parse(ip), Instant.parse("2026-01-01T00:00:00Z"));
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }
}
