package io.vpccni.eni.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An elastic network interface as EC2 describes it, reduced to what the node needs.
 *
 * @param deviceIndex attachment device index, or -1 when the ENI is not attached
 * @param secondaryIps private IPv4 addresses other than the primary one
 * @param prefixes IPv4 /28 prefixes delegated to the ENI
 */
public record Eni(
        String id,
        String mac,
        String subnetId,
        String primaryIp,
        List<String> secondaryIps,
        List<String> prefixes,
        int deviceIndex,
        Optional<String> attachmentId,
        Optional<String> attachedInstanceId,
        String status,
        String description,
        List<String> securityGroupIds,
        Map<String, String> tags) {

    public static final String NO_MANAGE_TAG = "node.k8s.amazonaws.com/no_manage";
    public static final String INSTANCE_ID_TAG = "node.k8s.amazonaws.com/instance_id";
    public static final String CREATED_AT_TAG = "node.k8s.amazonaws.com/createdAt";
    public static final String CLUSTER_NAME_TAG = "cluster.k8s.amazonaws.com/name";

    public Eni {
        secondaryIps = List.copyOf(secondaryIps);
        prefixes = List.copyOf(prefixes);
        securityGroupIds = List.copyOf(securityGroupIds);
        tags = Map.copyOf(tags);
    }

    public boolean isAttached() {
        return deviceIndex >= 0;
    }

    /** aws-vpc-cni's opt-out: an ENI tagged no_manage=true is never changed by us. */
    public boolean isUnmanaged() {
        return "true".equalsIgnoreCase(tags.get(NO_MANAGE_TAG));
    }

    /** IPv4 addresses the ENI holds, its primary included: what the per-ENI limit counts. */
    public int ipv4AddressCount() {
        return 1 + secondaryIps.size();
    }

    public Optional<Instant> createdAtTag() {
        String value = tags.get(CREATED_AT_TAG);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    public static String descriptionFor(String instanceId) {
        return "aws-K8S-" + instanceId;
    }
}
