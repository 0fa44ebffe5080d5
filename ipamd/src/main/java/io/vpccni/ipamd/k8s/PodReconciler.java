package io.vpccni.ipamd.k8s;

import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.AllocationKey;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Releases addresses whose pod is gone for good, which a lost CNI DEL (kubelet restart, node crash, a runtime
 * bug) would otherwise leak until the node dies; and, with ANNOTATE_POD_IP, writes each pod's address annotation.
 *
 * <p>An address is released only when its pod has been absent from the API server for the whole grace period
 * <em>and</em> its host veth is gone: the API server can lag behind the runtime, and a pod deleted in Kubernetes
 * still owns its address until the runtime has torn its network down.
 */
final class PodReconciler {

    private static final System.Logger LOG = System.getLogger(PodReconciler.class.getName());
    static final Duration DEFAULT_GRACE = Duration.ofMinutes(2);
    /** aws-vpc-cni's annotation, read by tools that expect it. */
    static final String POD_IPS_ANNOTATION = "vpc.amazonaws.com/pod-ips";

    /** Writes one pod annotation; false when it could not. */
    interface Annotator {
        boolean annotate(String namespace, String name, String key, String value);
    }

    private final ClusterView cluster;
    private final ClusterLink.DaemonHooks daemon;
    private final Clock clock;
    private final Duration grace;
    private final Optional<Annotator> annotator;
    private final Map<AllocationKey, Instant> missingSince = new HashMap<>();
    private final Map<String, String> annotated = new HashMap<>();

    /** @param annotator present when ANNOTATE_POD_IP is on */
    PodReconciler(ClusterView cluster, ClusterLink.DaemonHooks daemon, Clock clock, Duration grace,
                  Optional<Annotator> annotator) {
        this.cluster = cluster;
        this.daemon = daemon;
        this.clock = clock;
        this.grace = grace;
        this.annotator = annotator;
    }

    /** One pass; does nothing until the pods of this node have been listed once. Returns the keys released. */
    synchronized List<AllocationKey> reconcile() {
        Optional<List<PodInfo>> listed = cluster.podsOnNode();
        if (listed.isEmpty()) {
            return List.of();
        }
        Map<String, PodInfo> pods = listed.get().stream()
                .collect(Collectors.toMap(p -> p.namespace() + "/" + p.name(), Function.identity(), (a, b) -> a));
        Instant now = clock.instant();
        Set<AllocationKey> current = new HashSet<>();
        List<AllocationKey> released = new java.util.ArrayList<>();
        for (Allocation allocation : daemon.allocations().get()) {
            if (allocation.pod().name().isEmpty()) {
                continue; // no pod to look for (entries migrated without metadata): only CNI DEL releases these
            }
            current.add(allocation.key());
            PodInfo pod = pods.get(allocation.pod().namespace() + "/" + allocation.pod().name());
            if (pod != null && sameIncarnation(allocation, pod)) {
                missingSince.remove(allocation.key());
                annotate(pod, allocation);
                continue;
            }
            Instant since = missingSince.computeIfAbsent(allocation.key(), k -> now);
            if (Duration.between(since, now).compareTo(grace) >= 0 && !daemon.stillWired().test(allocation)) {
                if (daemon.release().test(allocation.key())) {
                    LOG.log(Level.INFO, "released {0} of pod {1}/{2}: the pod is gone and so is its veth",
                            allocation.ip(), allocation.pod().namespace(), allocation.pod().name());
                    released.add(allocation.key());
                }
                missingSince.remove(allocation.key());
            }
        }
        missingSince.keySet().retainAll(current);
        return released;
    }

    /** A pod recreated under the same name (a StatefulSet's) is another pod; compare uids when both are known. */
    private static boolean sameIncarnation(Allocation allocation, PodInfo pod) {
        return allocation.pod().uid().isEmpty() || pod.uid().isEmpty() || allocation.pod().uid().equals(pod.uid());
    }

    private void annotate(PodInfo pod, Allocation allocation) {
        if (annotator.isEmpty()) {
            return;
        }
        String ip = allocation.ip().toString();
        String podKey = pod.uid() + "/" + pod.namespace() + "/" + pod.name();
        if (pod.ipAnnotation().filter(ip::equals).isPresent() || ip.equals(annotated.get(podKey))) {
            return;
        }
        if (annotator.get().annotate(pod.namespace(), pod.name(), POD_IPS_ANNOTATION, ip)) {
            annotated.put(podKey, ip);
        }
        if (annotated.size() > 4096) {
            annotated.clear(); // a memory bound; the cache of pods says what is already annotated anyway
        }
    }
}
