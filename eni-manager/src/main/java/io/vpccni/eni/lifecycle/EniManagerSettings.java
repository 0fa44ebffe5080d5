package io.vpccni.eni.lifecycle;

import java.util.Map;
import java.util.Optional;

/**
 * What the daemon's configuration says about ENIs (already validated by ipamd's config parser).
 *
 * @param clusterName CLUSTER_NAME; when present ENIs carry the cluster tag and leak collection requires it
 * @param additionalTags ADDITIONAL_ENI_TAGS
 * @param maxEni MAX_ENI; 0 or less means the instance type's limit
 */
public record EniManagerSettings(Optional<String> clusterName, Map<String, String> additionalTags, int maxEni) {

    public EniManagerSettings {
        additionalTags = Map.copyOf(additionalTags);
    }

    public static EniManagerSettings defaults() {
        return new EniManagerSettings(Optional.empty(), Map.of(), -1);
    }
}
