package io.vpccni.ipamd.k8s;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An ENIConfig (crd.k8s.amazonaws.com/v1alpha1, cluster-scoped): the subnet and security groups of the pod ENIs of
 * the nodes that name it. An empty security group list means the primary ENI's groups, as in aws-vpc-cni.
 */
public record EniConfig(String name, String subnet, List<String> securityGroups) {

    public static final String GROUP = "crd.k8s.amazonaws.com";
    public static final String VERSION = "v1alpha1";
    public static final String KIND = "ENIConfig";
    public static final String PLURAL = "eniconfigs";

    public EniConfig {
        securityGroups = List.copyOf(securityGroups);
    }

    /** What looking an ENIConfig up found. */
    public sealed interface Lookup {
        record Found(EniConfig config) implements Lookup {}

        record Missing(String name) implements Lookup {}

        record Invalid(String name, String problem) implements Lookup {}
    }

    /**
     * Validates a spec as the API server would not (the CRD's schema may be older than ours): subnet is required,
     * ids look like EC2 ids.
     */
    static Lookup fromSpec(String name, Map<String, Object> spec) {
        Object subnet = spec == null ? null : spec.get("subnet");
        if (!(subnet instanceof String id) || id.isBlank()) {
            return new Lookup.Invalid(name, "spec.subnet is required");
        }
        if (!id.startsWith("subnet-")) {
            return new Lookup.Invalid(name, "spec.subnet " + id + " is not a subnet id (subnet-...)");
        }
        Object groups = spec.get("securityGroups");
        if (groups == null) {
            return new Lookup.Found(new EniConfig(name, id, List.of()));
        }
        if (!(groups instanceof List<?> list) || !list.stream().allMatch(g -> g instanceof String s && s.startsWith("sg-"))) {
            return new Lookup.Invalid(name, "spec.securityGroups must be a list of security group ids (sg-...)");
        }
        return new Lookup.Found(new EniConfig(name, id, list.stream().map(String.class::cast).toList()));
    }

    static Optional<EniConfig> found(Lookup lookup) {
        return lookup instanceof Lookup.Found(EniConfig config) ? Optional.of(config) : Optional.empty();
    }
}
