package io.vpccni.ipamd.k8s;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.vpccni.eni.guard.CallBudget;
import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.eni.guard.ShardedBudget;
import io.vpccni.eni.subnet.SubnetSelector;
import io.vpccni.ipamd.config.EniSettings;
import io.vpccni.ipamd.pool.EniPlacement;
import io.vpccni.ipamd.pool.PoolEvents;
import io.vpccni.ipamd.warmpool.NodeCondition;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * ipamd's link to the Kubernetes API through fabric8: reads the node and the ENIConfigs, reconciles the pods on
 * this node, writes events and (ANNOTATE_POD_IP) pod annotations. Every API call is listed in
 * {@link RequiredPermissions}; keep them in step.
 */
public final class KubernetesLink implements ClusterLink {

    private static final System.Logger LOG = System.getLogger(KubernetesLink.class.getName());
    /** Node events live in the default namespace, as the kubelet's do. */
    static final String EVENT_NAMESPACE = "default";
    static final String COMPONENT = "vpc-cni-ipamd";
    /** Where the EC2 budget's Leases go when the client knows no namespace (outside a pod): the DaemonSet's. */
    static final String DEFAULT_NAMESPACE = "kube-system";

    /**
     * @param period              how often pods are reconciled and the ENIConfig re-checked
     * @param podGrace            how long a pod must be gone before its address is released
     * @param eventWindow         one event per problem per window
     * @param nodeFilterOnServer  ask the API server for this node's pods only (a real one can; fabric8's mock
     *                            server cannot match spec.nodeName, so its tests list all pods and filter here)
     */
    public record Options(Duration period, Duration podGrace, Duration eventWindow, boolean nodeFilterOnServer) {
        public static final Options DEFAULTS = new Options(Duration.ofSeconds(5), PodReconciler.DEFAULT_GRACE,
                NodeEvents.DEFAULT_WINDOW, true);
    }

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final String nodeName;
    private final EniSettings eni;
    private final boolean annotatePodIp;
    private final Clock clock;
    private final Options options;
    private final InformedCluster cluster;
    private final NodeEvents events;
    private final ExecutorService eventWriter = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("k8s-events").daemon().factory());
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("k8s-reconcile").daemon().factory());
    private final java.util.concurrent.atomic.AtomicLong eventSequence = new java.util.concurrent.atomic.AtomicLong();
    private volatile PodReconciler reconciler;
    private volatile DaemonHooks hooks;

    /** @param client used, not owned: the caller closes it */
    public KubernetesLink(KubernetesClient client, String nodeName, EniSettings eni, boolean annotatePodIp,
                          Clock clock, Options options) {
        this(client, false, nodeName, eni, annotatePodIp, clock, options);
    }

    private KubernetesLink(KubernetesClient client, boolean ownsClient, String nodeName, EniSettings eni,
                           boolean annotatePodIp, Clock clock, Options options) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.nodeName = nodeName;
        this.eni = eni;
        this.annotatePodIp = annotatePodIp;
        this.clock = clock;
        this.options = options;
        this.cluster = new InformedCluster(client, nodeName, eni.customNetworking(), options.nodeFilterOnServer());
        this.events = new NodeEvents(event -> eventWriter.execute(() -> write(event)), clock, options.eventWindow());
    }

    /** In a pod: the service account's token and the API server from the environment kubelet sets. */
    public static KubernetesLink inCluster(String nodeName, EniSettings eni, boolean annotatePodIp, Clock clock) {
        return new KubernetesLink(new KubernetesClientBuilder().build(), true, nodeName, eni, annotatePodIp, clock,
                Options.DEFAULTS);
    }

    @Override
    public void start(DaemonHooks daemon) {
        this.hooks = daemon;
        this.reconciler = new PodReconciler(cluster, daemon, clock, options.podGrace(),
                annotatePodIp ? Optional.of(this::annotate) : Optional.empty());
        cluster.onPodBound(daemon.podBound());
        cluster.start();
        long period = options.period().toMillis();
        loop.scheduleWithFixedDelay(this::reconcileOnce, period, period, TimeUnit.MILLISECONDS);
    }

    /** One pass of the periodic work: stale addresses, annotations, standing problems as events. */
    void reconcileOnce() {
        try {
            reconciler.reconcile();
            if (eni.customNetworking()) {
                choice().knownProblem().ifPresent(problem ->
                        events.warning(NodeEvent.INVALID_ENI_CONFIG, problem, problem));
            }
            if (hooks.outOfAddressesAtEniLimit().getAsBoolean()) {
                events.warning(NodeEvent.ENI_LIMIT_REACHED, "", "no address is free and every ENI the instance type "
                        + "allows is attached and full; pods on this node wait for others to be deleted");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Kubernetes reconciliation failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Set<NodeCondition> conditions() {
        return cluster.node().map(NodeInfo::conditions).orElse(Set.of());
    }

    @Override
    public int podsBoundNotAdded() {
        DaemonHooks daemon = hooks;
        if (daemon == null) {
            return 0;
        }
        return cluster.podsOnNode().map(pods -> PodsAwaitingAdd.count(pods, daemon.allocations().get(),
                clock.instant(), PodsAwaitingAdd.WINDOW)).orElse(0);
    }

    @Override
    public EniPlacement customNetworkingPlacement(SubnetSelector subnets, String zone,
                                                  Supplier<List<String>> primaryGroups) {
        return new EniConfigPlacement(choice(), subnets, zone, primaryGroups);
    }

    private EniConfigChoice choice() {
        return new EniConfigChoice(cluster, eni.eniConfigLabel(), eni.eniConfigAnnotation());
    }

    /** Shards as Leases in the client's namespace (the service account's: ipamd's, kube-system). */
    @Override
    public CallBudget ec2Budget(Ec2Guard.Time time) {
        String namespace = Optional.ofNullable(client.getNamespace()).orElse(DEFAULT_NAMESPACE);
        return new ShardedBudget(new LeaseShardStore(client, namespace), nodeName, ShardedBudget.Settings.ec2Defaults(),
                time);
    }

    @Override
    public PoolEvents poolEvents() {
        return new KubePoolEvents(events);
    }

    /** The node events sent so far go through here; for tests that check deduplication. */
    NodeEvents events() {
        return events;
    }

    ClusterView cluster() {
        return cluster;
    }

    /** Whether the informers' watches are open (tests against the mock server wait for it). */
    boolean watching() {
        return cluster.watching();
    }

    // RequiredPermissions: events create.
    private void write(NodeEvent event) {
        var now = clock.instant();
        String stamp = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
        try {
            client.v1().events().inNamespace(EVENT_NAMESPACE).resource(new EventBuilder()
                    .withNewMetadata()
                    // kubelet's naming (node.<unix nanos in hex>), plus a sequence: two events may share a clock tick
                    .withName(nodeName + "." + Long.toHexString(now.getEpochSecond() * 1_000_000_000L + now.getNano())
                            + Long.toHexString(eventSequence.incrementAndGet()))
                    .withNamespace(EVENT_NAMESPACE)
                    .endMetadata()
                    .withNewInvolvedObject().withApiVersion("v1").withKind("Node").withName(nodeName)
                    .withUid(cluster.nodeUid().orElse(null)).endInvolvedObject()
                    .withType(event.type().name()).withReason(event.reason()).withMessage(event.message())
                    .withNewSource().withComponent(COMPONENT).withHost(nodeName).endSource()
                    .withFirstTimestamp(stamp).withLastTimestamp(stamp).withCount(1)
                    .build()).create();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not write event " + event.reason() + ": " + e.getMessage());
        }
    }

    // RequiredPermissions: pods patch. JSON merge patch: touches only our annotation, works on every API server.
    private boolean annotate(String namespace, String name, String key, String value) {
        try {
            // key and value are ours (a fixed key, an IPv4 address): nothing to escape
            String patch = "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}";
            // Patched through a Pod object holding only namespace and name, not withName(name): fabric8 would
            // GET the pod first to learn what it already knows (the name), a call RBAC does not grant (pods get)
            // and the API server would refuse.
            client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withNamespace(namespace)
                    .withName(name).endMetadata().build()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not annotate pod " + namespace + "/" + name + ": " + e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
        eventWriter.shutdownNow();
        cluster.close();
        if (ownsClient) {
            client.close();
        }
    }
}
