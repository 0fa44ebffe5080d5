package io.vpccni.policy.agent.k8s;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vpccni.policy.agent.EndpointSource;
import io.vpccni.policy.agent.PolicyAgent;
import io.vpccni.policy.agent.model.Rejection;
import io.vpccni.policy.endpoint.PolicyEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpointCodec;
import io.vpccni.policy.endpoint.PolicyEndpointFormatException;
import io.vpccni.policy.endpoint.PolicyEndpointLabels;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feeds a {@link PolicyAgent} from the API server: one fabric8 informer on policyendpoints, with this node's label
 * as a label selector (EndpointSource.NODE_LABEL) or on all of them (ALL). The agent gets the complete list once the
 * informer has listed (only then does it touch the table), then each change. The informer re-lists after a lost watch
 * and keeps retrying while the API server is away; the table stays as it is meanwhile.
 *
 * <p>Also the agent's {@link PolicyAgent.Events}: a Warning event on the PolicyEndpoint that is not enforced.
 * I/O: the API server. Calls: {@link AgentPermissions}.
 */
public final class PolicyEndpointWatcher implements PolicyAgent.Events, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PolicyEndpointWatcher.class.getName());
    /** Our controller's node label (the value is the node name, hashed when longer than a label holds). */
    public static final String NODE_LABEL = PolicyEndpointLabels.NODE_NAME;
    public static final String REASON = "PolicyEndpointNotEnforced";
    static final String COMPONENT = "vpc-cni-network-policy-agent";

    public static final ResourceDefinitionContext POLICY_ENDPOINTS = new ResourceDefinitionContext.Builder()
            .withGroup(PolicyEndpoint.GROUP).withVersion(PolicyEndpoint.VERSION).withPlural(PolicyEndpoint.PLURAL)
            .withKind(PolicyEndpoint.KIND).withNamespaced(true).build();

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final String nodeName;
    private final EndpointSource source;
    private final Clock clock;
    private final ExecutorService eventWriter = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("policy-events").daemon().factory());
    private final AtomicLong eventSequence = new AtomicLong();
    private volatile PolicyAgent agent;
    private SharedIndexInformer<GenericKubernetesResource> informer;

    /** @param client used, not owned: the caller closes it */
    public PolicyEndpointWatcher(KubernetesClient client, String nodeName, EndpointSource source, Clock clock) {
        this(client, false, nodeName, source, clock);
    }

    private PolicyEndpointWatcher(KubernetesClient client, boolean ownsClient, String nodeName,
                                  EndpointSource source, Clock clock) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.nodeName = nodeName;
        this.source = source;
        this.clock = clock;
    }

    /** In a pod: the service account's token and the API server from the environment kubelet sets. */
    public static PolicyEndpointWatcher inCluster(String nodeName, EndpointSource source) {
        return new PolicyEndpointWatcher(new KubernetesClientBuilder().build(), true, nodeName, source,
                Clock.systemUTC());
    }

    /** Starts the informer feeding {@code agent}; returns at once. */
    public synchronized void start(PolicyAgent agent) {
        this.agent = agent;
        var all = client.genericKubernetesResources(POLICY_ENDPOINTS).inAnyNamespace();
        informer = (source == EndpointSource.NODE_LABEL
                ? all.withLabel(NODE_LABEL, PolicyEndpointLabels.value(nodeName)) : all)
                .runnableInformer(0);
        informer.exceptionHandler((started, error) -> {
            LOG.log(Level.DEBUG, "PolicyEndpoint watch: " + error.getMessage() + "; retrying");
            return true;
        });
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource obj) {
                if (informer.hasSynced()) {
                    changed(obj);
                }
            }

            @Override
            public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
                if (informer.hasSynced()) {
                    changed(newObj);
                }
            }

            @Override
            public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
                agent.endpointDeleted(obj.getMetadata().getNamespace(), obj.getMetadata().getName());
            }
        });
        informer.start().whenComplete((ignored, error) -> {
            if (error == null) {
                listed();
            }
        });
        LOG.log(Level.INFO, "watching PolicyEndpoints {0}", source == EndpointSource.NODE_LABEL
                ? "labelled " + NODE_LABEL + "=" + nodeName : "of the whole cluster (hostIP decides)");
    }

    /** Whether the informer has listed and its watch is open. */
    public boolean watching() {
        SharedIndexInformer<GenericKubernetesResource> i = informer;
        return i != null && i.hasSynced() && i.isWatching();
    }

    private void listed() {
        List<PolicyEndpoint> decoded = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        for (GenericKubernetesResource r : informer.getStore().list()) {
            try {
                decoded.add(decode(r));
            } catch (PolicyEndpointFormatException e) {
                rejected.add(new Rejection(r.getMetadata().getNamespace(), r.getMetadata().getName(), e.getMessage()));
            }
        }
        LOG.log(Level.INFO, "listed {0} PolicyEndpoints ({1} not decodable)", decoded.size() + rejected.size(),
                rejected.size());
        agent.endpointsListed(decoded, rejected);
    }

    private void changed(GenericKubernetesResource r) {
        try {
            agent.endpointChanged(decode(r));
        } catch (PolicyEndpointFormatException e) {
            agent.endpointUndecodable(new Rejection(r.getMetadata().getNamespace(), r.getMetadata().getName(),
                    e.getMessage()));
        }
    }

    @SuppressWarnings("unchecked")
    static PolicyEndpoint decode(GenericKubernetesResource r) {
        Object spec = r.getAdditionalProperties().get("spec");
        if (spec != null && !(spec instanceof Map<?, ?>)) {
            throw new PolicyEndpointFormatException("spec is not an object");
        }
        return PolicyEndpointCodec.fromSpec(r.getMetadata().getNamespace(), r.getMetadata().getName(),
                (Map<String, Object>) spec);
    }

    @Override
    public void cannotEnforce(String namespace, String name, String problem) {
        eventWriter.execute(() -> writeEvent(namespace, name, problem));
    }

    // AgentPermissions: events create.
    private void writeEvent(String namespace, String name, String problem) {
        var now = clock.instant();
        String stamp = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(name + "." + Long.toHexString(now.getEpochSecond() * 1_000_000_000L + now.getNano())
                            + Long.toHexString(eventSequence.incrementAndGet()))
                    .withNamespace(namespace)
                    .endMetadata()
                    .withNewInvolvedObject().withApiVersion(PolicyEndpoint.API_VERSION).withKind(PolicyEndpoint.KIND)
                    .withNamespace(namespace).withName(name).endInvolvedObject()
                    .withType("Warning").withReason(REASON)
                    .withMessage("not enforced on node " + nodeName + ": " + problem)
                    .withNewSource().withComponent(COMPONENT).withHost(nodeName).endSource()
                    .withFirstTimestamp(stamp).withLastTimestamp(stamp).withCount(1)
                    .build()).create();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not write the event for PolicyEndpoint " + namespace + "/" + name + ": "
                    + e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (informer != null) {
            informer.close();
        }
        eventWriter.shutdownNow();
        if (ownsClient) {
            client.close();
        }
    }
}
