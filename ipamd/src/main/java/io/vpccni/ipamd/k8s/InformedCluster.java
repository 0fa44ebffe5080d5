package io.vpccni.ipamd.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The cluster as fabric8 informers see it: this node, the pods on it, and (custom networking) the ENIConfigs.
 * Informers list, then watch, and re-list after a lost watch; their exception handler keeps them retrying, so an
 * API server that is down when ipamd starts is picked up when it comes back.
 */
final class InformedCluster implements ClusterView, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(InformedCluster.class.getName());

    static final ResourceDefinitionContext ENI_CONFIGS = new ResourceDefinitionContext.Builder()
            .withGroup(EniConfig.GROUP).withVersion(EniConfig.VERSION).withKind(EniConfig.KIND)
            .withPlural(EniConfig.PLURAL).withNamespaced(false).build();

    private final String nodeName;
    private final SharedIndexInformer<Node> node;
    private final SharedIndexInformer<Pod> pods;
    private final Optional<SharedIndexInformer<GenericKubernetesResource>> eniConfigs;

    InformedCluster(KubernetesClient client, String nodeName, boolean readEniConfigs, boolean nodeFilterOnServer) {
        this.nodeName = nodeName;
        // RequiredPermissions: nodes list+watch, pods list+watch, eniconfigs list+watch.
        this.node = retrying(client.nodes().withName(nodeName).runnableInformer(0));
        // A real API server filters on spec.nodeName; podsOnNode filters again (the mock server cannot).
        var allPods = client.pods().inAnyNamespace();
        this.pods = retrying((nodeFilterOnServer ? allPods.withField("spec.nodeName", nodeName) : allPods)
                .runnableInformer(0));
        this.eniConfigs = readEniConfigs
                ? Optional.of(retrying(client.genericKubernetesResources(ENI_CONFIGS).runnableInformer(0)))
                : Optional.empty();
    }

    private static <T> SharedIndexInformer<T> retrying(SharedIndexInformer<T> informer) {
        return informer.exceptionHandler((started, error) -> {
            LOG.log(Level.DEBUG, "Kubernetes API: " + error.getMessage() + "; retrying");
            return true;
        });
    }

    void start() {
        node.start();
        pods.start();
        eniConfigs.ifPresent(SharedIndexInformer::start);
    }

    /**
     * Whether every informer has its watch open. A real API server replays changes since the list's resource version
     * to a watch that opens late; fabric8's mock server does not, so tests wait for this before changing anything.
     */
    boolean watching() {
        return node.isWatching() && pods.isWatching() && eniConfigs.map(SharedIndexInformer::isWatching).orElse(true);
    }

    @Override
    public Optional<NodeInfo> node() {
        if (!node.hasSynced()) {
            return Optional.empty();
        }
        return node.getStore().list().stream().filter(n -> nodeName.equals(n.getMetadata().getName())).findFirst()
                .map(InformedCluster::info);
    }

    Optional<String> nodeUid() {
        return node.getStore().list().stream().map(n -> n.getMetadata().getUid()).filter(Objects::nonNull).findFirst();
    }

    @Override
    public Optional<EniConfig.Lookup> eniConfig(String name) {
        if (eniConfigs.isEmpty() || !eniConfigs.get().hasSynced()) {
            return Optional.empty();
        }
        GenericKubernetesResource found = eniConfigs.get().getStore().getByKey(name);
        if (found == null) {
            return Optional.of(new EniConfig.Lookup.Missing(name));
        }
        Object spec = found.getAdditionalProperties().get("spec");
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = spec instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
        return Optional.of(EniConfig.fromSpec(name, fields));
    }

    @Override
    public Optional<List<PodInfo>> podsOnNode() {
        if (!pods.hasSynced()) {
            return Optional.empty();
        }
        List<PodInfo> onNode = new ArrayList<>();
        for (Pod pod : pods.getStore().list()) {
            if (pod.getSpec() != null && nodeName.equals(pod.getSpec().getNodeName())) {
                var meta = pod.getMetadata();
                Map<String, String> annotations = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
                onNode.add(new PodInfo(meta.getNamespace(), meta.getName(), Objects.requireNonNullElse(meta.getUid(), ""),
                        Optional.ofNullable(annotations.get(PodReconciler.POD_IPS_ANNOTATION)),
                        Boolean.TRUE.equals(pod.getSpec().getHostNetwork()), finished(pod), boundAt(pod)));
            }
        }
        return Optional.of(onNode);
    }

    /**
     * Calls {@code bound} when a pod is bound to this node: it appears (a watch filtered on the node sees a pod once
     * it is bound), or an update gives it this node.
     */
    void onPodBound(Runnable bound) {
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                if (onThisNode(pod)) {
                    bound.run();
                }
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                if (!onThisNode(before) && onThisNode(after)) {
                    bound.run();
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {}
        });
    }

    private boolean onThisNode(Pod pod) {
        return pod.getSpec() != null && nodeName.equals(pod.getSpec().getNodeName());
    }

    private static boolean finished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return pod.getMetadata().getDeletionTimestamp() != null || "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static Optional<Instant> boundAt(Pod pod) {
        Optional<String> scheduled = pod.getStatus() == null || pod.getStatus().getConditions() == null
                ? Optional.empty()
                : pod.getStatus().getConditions().stream()
                        .filter(c -> "PodScheduled".equals(c.getType()) && "True".equals(c.getStatus()))
                        .map(PodCondition::getLastTransitionTime).filter(Objects::nonNull).findFirst();
        return scheduled.or(() -> Optional.ofNullable(pod.getMetadata().getCreationTimestamp()))
                .flatMap(InformedCluster::instant);
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty(); // counted as bound now: at worst the pool grows for it
        }
    }

    private static NodeInfo info(Node node) {
        var meta = node.getMetadata();
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                : node.getSpec().getTaints();
        return new NodeInfo(meta.getName(), Objects.requireNonNullElse(meta.getLabels(), Map.of()),
                Objects.requireNonNullElse(meta.getAnnotations(), Map.of()),
                taints.stream().map(t -> new NodeInfo.Taint(t.getKey(), t.getEffect())).toList());
    }

    @Override
    public void close() {
        node.close();
        pods.close();
        eniConfigs.ifPresent(SharedIndexInformer::close);
    }
}
