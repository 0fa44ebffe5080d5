package io.vpccni.ipamd.k8s;

import java.util.List;
import java.util.Set;

/**
 * Every Kubernetes API call ipamd makes, as RBAC rules. The ClusterRole in deploy/ is checked against
 * {@link #of} for the DaemonSet's ANNOTATE_POD_IP (exactly these, nothing more; pods/patch only with the
 * annotation on), and a test drives {@link KubernetesLink} against the mock API server and checks that the
 * requests it sees are exactly these. Change this together with the calls in {@link KubernetesLink}.
 */
public final class RequiredPermissions {

    /** The Leases' group: the EC2 budget's shards (VPC_CNI_EC2_BUDGET_LEASES). */
    public static final String COORDINATION = "coordination.k8s.io";

    /** One RBAC rule; the core group is "". */
    public record Rule(String apiGroup, String resource, Set<String> verbs) {
        public Rule {
            verbs = Set.copyOf(verbs);
        }
    }

    private RequiredPermissions() {}

    /** The rules for a daemon with ANNOTATE_POD_IP set to {@code annotatePodIp}. */
    public static List<Rule> of(boolean annotatePodIp) {
        return List.of(
                // the node informer: labels and annotations (ENIConfig), taints (unschedulable)
                new Rule("", "nodes", Set.of("list", "watch")),
                // the informer of pods on this node (stale addresses); patch writes ANNOTATE_POD_IP's annotation
                new Rule("", "pods", annotatePodIp ? Set.of("list", "watch", "patch") : Set.of("list", "watch")),
                // node events: IAM permission missing, subnet exhausted, ENI limit, invalid ENIConfig
                new Rule("", "events", Set.of("create")),
                // the ENIConfig informer (custom networking)
                new Rule(EniConfig.GROUP, EniConfig.PLURAL, Set.of("list", "watch")));
    }

    /**
     * With VPC_CNI_EC2_BUDGET_LEASES, in ipamd's own namespace only (a Role, not the ClusterRole): read a shard,
     * create it the first time, take it with an update carrying the version read. No list, watch, patch or delete.
     */
    public static List<Rule> leases() {
        return List.of(new Rule(COORDINATION, "leases", Set.of("get", "create", "update")));
    }
}
