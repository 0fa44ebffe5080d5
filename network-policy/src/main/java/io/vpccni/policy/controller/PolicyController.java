package io.vpccni.policy.controller;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpointCodec;
import io.vpccni.policy.endpoint.PolicyEndpointFormatException;
import io.vpccni.policy.endpoint.PolicyEndpointLabels;
import io.vpccni.policy.endpoint.PolicyRef;
import io.vpccni.policy.resolve.ClusterState;
import io.vpccni.policy.resolve.PolicyResolver;
import io.vpccni.policy.resolve.Resolution;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;

/**
 * The controller's link to the API server: informers on NetworkPolicies, pods and namespaces (each once, for the whole
 * cluster) and on the PolicyEndpoints it wrote; any change schedules one reconcile after a short debounce, which
 * resolves every policy ({@link PolicyResolver}) and writes the difference ({@link EndpointPlan}). Only while it
 * leads ({@link #startWriting}) does it write; a follower keeps its caches warm to take over at once. A policy it
 * cannot resolve gets one Warning event per distinct reason. A failed reconcile is retried with a doubling delay up
 * to {@link Options#maxBackoff}. Every API call is listed in {@link ControllerPermissions}.
 */
public final class PolicyController implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PolicyController.class.getName());

    static final String COMPONENT = "vpc-cni-policy-controller";
    static final String UNRESOLVABLE_REASON = "PolicyNotResolved";
    public static final ResourceDefinitionContext POLICY_ENDPOINTS = new ResourceDefinitionContext.Builder()
            .withGroup(PolicyEndpoint.GROUP).withVersion(PolicyEndpoint.VERSION).withKind(PolicyEndpoint.KIND)
            .withPlural(PolicyEndpoint.PLURAL).withNamespaced(true).build();

    /**
     * @param debounce   how long after a change the reconcile runs: changes within it are handled by one pass
     * @param maxBackoff the longest wait before retrying a reconcile that failed
     */
    public record Options(Duration debounce, Duration maxBackoff) {
        public static final Options DEFAULTS = new Options(Duration.ofMillis(250), Duration.ofSeconds(30));
    }

    private final KubernetesClient client;
    private final Options options;
    private final Clock clock;
    private final SharedIndexInformer<NetworkPolicy> policies;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Namespace> namespaces;
    private final SharedIndexInformer<GenericKubernetesResource> endpoints;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("policy-reconcile").daemon().factory());
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong eventSequence = new AtomicLong();
    /** The reason last reported per unresolvable policy; the reconcile thread's alone. */
    private final Map<PolicyRef, String> reported = new HashMap<>();
    private volatile boolean leading;
    private volatile BooleanSupplier fence = () -> true;
    private int failures;

    /** @param client used, not owned: the caller closes it */
    public PolicyController(KubernetesClient client, Options options, Clock clock) {
        this.client = client;
        this.options = options;
        this.clock = clock;
        // ControllerPermissions: list+watch networkpolicies, pods, namespaces; policyendpoints (ours only).
        this.policies = retrying(client.network().v1().networkPolicies().inAnyNamespace().runnableInformer(0));
        this.pods = retrying(client.pods().inAnyNamespace().runnableInformer(0));
        this.namespaces = retrying(client.namespaces().runnableInformer(0));
        this.endpoints = retrying(client.genericKubernetesResources(POLICY_ENDPOINTS).inAnyNamespace()
                .withLabel(PolicyEndpointLabels.POLICY_NAME).runnableInformer(0));
    }

    private static <T> SharedIndexInformer<T> retrying(SharedIndexInformer<T> informer) {
        return informer.exceptionHandler((started, error) -> {
            LOG.log(Level.DEBUG, "Kubernetes API: " + error.getMessage() + "; retrying");
            return true;
        });
    }

    public void start() {
        policies.addEventHandler(handler((a, b) -> true));
        namespaces.addEventHandler(handler((a, b) -> !Objects.equals(a.getMetadata().getLabels(),
                b.getMetadata().getLabels())));
        pods.addEventHandler(handler(PolicyController::podChanged));
        endpoints.addEventHandler(handler((a, b) -> true));
        policies.start();
        namespaces.start();
        pods.start();
        endpoints.start();
    }

    /** Only what a resolution reads: a pod's status changes often for reasons no policy sees. */
    private static boolean podChanged(Pod a, Pod b) {
        return !Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels())
                || !Objects.equals(a.getSpec().getNodeName(), b.getSpec().getNodeName())
                || !addressing(a).equals(addressing(b));
    }

    private static List<Object> addressing(Pod pod) {
        var s = pod.getStatus();
        return s == null ? List.of() : Arrays.asList(s.getPodIPs(), s.getPodIP(), s.getHostIP(), s.getPhase());
    }

    private <T> ResourceEventHandler<T> handler(BiPredicate<T, T> relevant) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                request();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                if (relevant.test(oldObj, newObj)) {
                    request();
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                request();
            }
        };
    }

    /** Whether every informer has listed its objects once. */
    public boolean synced() {
        return policies.hasSynced() && pods.hasSynced() && namespaces.hasSynced() && endpoints.hasSynced();
    }

    /** Whether every informer's watch is open (the mock server replays nothing to a late watch: tests wait). */
    public boolean watching() {
        return policies.isWatching() && pods.isWatching() && namespaces.isWatching() && endpoints.isWatching();
    }

    /** This replica leads: from now on it writes. */
    public void startWriting() {
        startWriting(() -> true);
    }

    /**
     * This replica leads while {@code fence} says so (the lease's own renewals, {@link LeaderElection#holdsLease}):
     * every write checks it first.
     */
    public void startWriting(BooleanSupplier fence) {
        LOG.log(Level.INFO, "leading: writing PolicyEndpoints");
        this.fence = fence;
        leading = true;
        request();
    }

    /** This replica no longer leads: it writes nothing more (a write already sent may still complete). */
    public void stopWriting() {
        leading = false;
        LOG.log(Level.INFO, "no longer leading: not writing PolicyEndpoints");
    }

    public boolean leading() {
        return leading && fence.getAsBoolean();
    }

    /** Objects created, updated or deleted and events written by this instance, for tests and the log. */
    public long writes() {
        return writes.get();
    }

    /** Reconcile passes completed (with or without writes), for tests that a change led to no write. */
    public long passes() {
        return passes.get();
    }

    private void request() {
        if (pending.compareAndSet(false, true)) {
            schedule(options.debounce());
        }
    }

    private void schedule(Duration delay) {
        try {
            loop.schedule(this::reconcile, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closing: nothing more to do
        }
    }

    private void reconcile() {
        pending.set(false);
        if (!leading) {
            return;
        }
        if (!fence.getAsBoolean() || !synced()) {
            request(); // looked at again after the debounce: the lease renewed, the caches filled
            return;
        }
        try {
            reconcileOnce();
            passes.incrementAndGet();
            failures = 0;
        } catch (RuntimeException e) {
            failures++;
            long backoff = Math.min(options.maxBackoff().toMillis(),
                    options.debounce().toMillis() << Math.min(failures, 20));
            LOG.log(Level.WARNING, "reconciling PolicyEndpoints failed (" + failures + " in a row), retrying in "
                    + backoff + " ms: " + e.getMessage());
            if (pending.compareAndSet(false, true)) {
                schedule(Duration.ofMillis(backoff));
            }
        }
    }

    /** One pass: resolve every policy, write the difference. Runs on the reconcile thread only. */
    void reconcileOnce() {
        List<NetworkPolicy> allPolicies = policies.getStore().list();
        ClusterState state = new ClusterState(pods.getStore().list(), namespaces.getStore().list());
        Map<PolicyRef, Resolution> resolutions = new LinkedHashMap<>();
        Map<PolicyRef, String> uids = new HashMap<>();
        Map<PolicyRef, NetworkPolicy> byRef = new HashMap<>();
        for (NetworkPolicy policy : allPolicies) {
            Resolution r = PolicyResolver.resolve(policy, state);
            resolutions.put(r.policy(), r);
            uids.put(r.policy(), policy.getMetadata().getUid());
            byRef.put(r.policy(), policy);
        }
        report(resolutions, byRef);
        List<ExistingEndpoint> existing = endpoints.getStore().list().stream().map(PolicyController::existing)
                .toList();
        EndpointPlan plan = EndpointPlan.of(resolutions, uids, existing);
        if (plan.isEmpty() || !leading()) {
            return;
        }
        List<String> failed = new ArrayList<>();
        var api = client.genericKubernetesResources(POLICY_ENDPOINTS);
        // ControllerPermissions: policyendpoints create, update, delete.
        for (EndpointPlan.Write w : plan.creates()) {
            write(failed, "create", w, () -> api.inNamespace(w.desired().endpoint().namespace())
                    .resource(resource(w)).create());
        }
        for (EndpointPlan.Write w : plan.updates()) {
            write(failed, "update", w, () -> api.inNamespace(w.desired().endpoint().namespace())
                    .resource(resource(w)).update());
        }
        for (ExistingEndpoint e : plan.deletes()) {
            if (!leading()) {
                break;
            }
            try {
                api.inNamespace(e.namespace()).withName(e.name()).delete();
                writes.incrementAndGet();
                LOG.log(Level.INFO, "deleted PolicyEndpoint " + e.key());
            } catch (KubernetesClientException ex) {
                failed.add("delete " + e.key() + ": " + ex.getMessage());
            }
        }
        LOG.log(Level.INFO, "reconciled " + allPolicies.size() + " NetworkPolicies: " + plan.creates().size()
                + " PolicyEndpoints to create, " + plan.updates().size() + " to update, " + plan.deletes().size()
                + " to delete" + (failed.isEmpty() ? "" : ", " + failed.size() + " failed"));
        if (!failed.isEmpty()) {
            throw new IllegalStateException(String.join("; ", failed));
        }
    }

    private void write(List<String> failed, String verb, EndpointPlan.Write w, Runnable call) {
        if (!leading()) {
            return;
        }
        String key = w.desired().endpoint().namespace() + "/" + w.desired().endpoint().name();
        try {
            call.run();
            writes.incrementAndGet();
            LOG.log(Level.INFO, verb + "d PolicyEndpoint " + key + " (" + w.desired().endpoint().podSelectorEndpoints()
                    .size() + " pod addresses on node " + w.desired().nodeName() + ")");
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                // our cache is behind the server: the watch event on its way schedules another pass
                LOG.log(Level.DEBUG, "PolicyEndpoint " + key + " changed meanwhile; resolving again");
                request();
            } else {
                failed.add(verb + " " + key + ": " + e.getMessage());
            }
        }
    }

    private static GenericKubernetesResource resource(EndpointPlan.Write w) {
        PolicyEndpoint pe = w.desired().endpoint();
        Map<String, String> labels = new LinkedHashMap<>();
        w.existing().ifPresent(e -> labels.putAll(e.labels()));
        labels.putAll(w.desired().labels());
        return new GenericKubernetesResourceBuilder().withApiVersion(PolicyEndpoint.API_VERSION)
                .withKind(PolicyEndpoint.KIND)
                .withNewMetadata().withNamespace(pe.namespace()).withName(pe.name()).withLabels(labels)
                .withResourceVersion(w.existing().map(ExistingEndpoint::resourceVersion).orElse(null))
                // No blockOwnerDeletion: setting it needs delete rights on the policy, which we do not ask for.
                .addNewOwnerReference().withApiVersion("networking.k8s.io/v1").withKind("NetworkPolicy")
                .withName(pe.policyRef().name()).withUid(w.policyUid()).withController(true).endOwnerReference()
                .endMetadata()
                .addToAdditionalProperties("spec", PolicyEndpointCodec.toSpec(pe)).build();
    }

    @SuppressWarnings("unchecked")
    static ExistingEndpoint existing(GenericKubernetesResource r) {
        var meta = r.getMetadata();
        Optional<OwnerReference> owner = meta.getOwnerReferences() == null ? Optional.empty()
                : meta.getOwnerReferences().stream().filter(o -> "NetworkPolicy".equals(o.getKind())).findFirst();
        Optional<PolicyEndpoint> spec;
        try {
            spec = Optional.of(PolicyEndpointCodec.fromSpec(meta.getNamespace(), meta.getName(),
                    (Map<String, Object>) r.getAdditionalProperties().get("spec")));
        } catch (PolicyEndpointFormatException | ClassCastException e) {
            spec = Optional.empty();
        }
        Optional<PolicyEndpoint> parsed = spec;
        Optional<String> policy = owner.map(OwnerReference::getName).or(() -> parsed.map(pe -> pe.policyRef().name()));
        return new ExistingEndpoint(meta.getNamespace(), meta.getName(), meta.getResourceVersion(), policy,
                owner.map(OwnerReference::getUid), meta.getLabels() == null ? Map.of() : Map.copyOf(meta.getLabels()),
                spec);
    }

    /** One Warning event per policy and distinct reason; forgotten once the policy resolves or is gone. */
    private void report(Map<PolicyRef, Resolution> resolutions, Map<PolicyRef, NetworkPolicy> byRef) {
        reported.keySet().removeIf(ref -> !(resolutions.get(ref) instanceof Resolution.Unresolvable));
        if (!leading()) {
            return;
        }
        resolutions.values().forEach(r -> {
            if (r instanceof Resolution.Unresolvable u && !u.reason().equals(reported.get(u.policy()))) {
                LOG.log(Level.WARNING, "NetworkPolicy " + u.policy() + " cannot be enforced, its PolicyEndpoints are "
                        + "left as they were: " + u.reason());
                if (event(byRef.get(u.policy()), u.reason())) {
                    reported.put(u.policy(), u.reason());
                }
            }
        });
    }

    // ControllerPermissions: events create.
    private boolean event(NetworkPolicy policy, String reason) {
        var now = clock.instant();
        String stamp = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
        String namespace = policy.getMetadata().getNamespace();
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata().withNamespace(namespace)
                    .withName(policy.getMetadata().getName() + "." + Long.toHexString(now.getEpochSecond()
                            * 1_000_000_000L + now.getNano()) + Long.toHexString(eventSequence.incrementAndGet()))
                    .endMetadata()
                    .withNewInvolvedObject().withApiVersion("networking.k8s.io/v1").withKind("NetworkPolicy")
                    .withNamespace(namespace).withName(policy.getMetadata().getName())
                    .withUid(policy.getMetadata().getUid()).endInvolvedObject()
                    .withType("Warning").withReason(UNRESOLVABLE_REASON)
                    .withMessage("cannot be enforced, its PolicyEndpoints are left as they were: " + reason)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withFirstTimestamp(stamp).withLastTimestamp(stamp).withCount(1).build()).create();
            writes.incrementAndGet();
            return true;
        } catch (KubernetesClientException e) {
            LOG.log(Level.WARNING, "could not write an event for NetworkPolicy " + namespace + "/"
                    + policy.getMetadata().getName() + ": " + e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        leading = false;
        loop.shutdownNow();
        policies.close();
        pods.close();
        namespaces.close();
        endpoints.close();
    }
}
