package io.vpccni.ipamd.k8s;

import io.vpccni.ipamd.warmpool.NodeCondition;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** What ipamd needs of its Node object: labels and annotations (ENIConfig choice) and taints (conditions). */
public record NodeInfo(String name, Map<String, String> labels, Map<String, String> annotations, List<Taint> taints) {

    /** The taint the node lifecycle controller puts on a cordoned node. */
    static final Taint UNSCHEDULABLE = new Taint("node.kubernetes.io/unschedulable", "NoSchedule");
    /** aws-vpc-cni's name for the ENIConfig of nodes that name none. */
    public static final String DEFAULT_ENI_CONFIG = "default";

    public record Taint(String key, String effect) {}

    public NodeInfo {
        Objects.requireNonNull(name, "name");
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
        taints = List.copyOf(taints);
    }

    public Set<NodeCondition> conditions() {
        return taints.contains(UNSCHEDULABLE) ? Set.of(NodeCondition.UNSCHEDULABLE) : Set.of();
    }

    /**
     * The ENIConfig this node uses: the annotation wins over the label (aws-vpc-cni's documented order), then
     * "default".
     */
    public String eniConfigName(String labelKey, String annotationKey) {
        String annotated = annotations.get(annotationKey);
        if (annotated != null && !annotated.isBlank()) {
            return annotated;
        }
        String labelled = labels.get(labelKey);
        return labelled != null && !labelled.isBlank() ? labelled : DEFAULT_ENI_CONFIG;
    }
}
