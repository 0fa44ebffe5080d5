package io.vpccni.ipamd.k8s;

import io.vpccni.ipamd.pool.EniPlacement.Unavailable;
import java.util.Optional;

/** Which ENIConfig this node uses and whether it is usable, from what Kubernetes says (no EC2 call). */
final class EniConfigChoice {

    private final ClusterView cluster;
    private final String labelKey;
    private final String annotationKey;

    EniConfigChoice(ClusterView cluster, String labelKey, String annotationKey) {
        this.cluster = cluster;
        this.labelKey = labelKey;
        this.annotationKey = annotationKey;
    }

    /** What is wrong with the ENIConfig, once node and ENIConfigs have been read (nothing before: not known). */
    Optional<String> knownProblem() {
        Optional<NodeInfo> node = cluster.node();
        if (node.isEmpty() || cluster.eniConfig(node.get().eniConfigName(labelKey, annotationKey)).isEmpty()) {
            return Optional.empty();
        }
        try {
            resolve();
            return Optional.empty();
        } catch (Unavailable problem) {
            return Optional.of(problem.getMessage());
        }
    }

    /** @throws Unavailable saying what is wrong: not read yet, missing, invalid */
    EniConfig resolve() {
        NodeInfo node = cluster.node().orElseThrow(() -> new Unavailable(
                "custom networking: this node has not been read from the Kubernetes API yet"));
        String name = node.eniConfigName(labelKey, annotationKey);
        EniConfig.Lookup lookup = cluster.eniConfig(name).orElseThrow(() -> new Unavailable(
                "custom networking: ENIConfigs have not been read from the Kubernetes API yet"));
        return switch (lookup) {
            case EniConfig.Lookup.Found(EniConfig config) -> config;
            case EniConfig.Lookup.Missing(String missing) -> throw new Unavailable("ENIConfig " + missing
                    + " (chosen for node " + node.name() + " by annotation " + annotationKey + ", label " + labelKey
                    + ", else \"" + NodeInfo.DEFAULT_ENI_CONFIG + "\") does not exist");
            case EniConfig.Lookup.Invalid(String invalid, String problem) ->
                    throw new Unavailable("ENIConfig " + invalid + " is invalid: " + problem);
        };
    }
}
