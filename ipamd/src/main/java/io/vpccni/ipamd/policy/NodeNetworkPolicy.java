package io.vpccni.ipamd.policy;

import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.config.NetworkPolicySettings;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.introspect.NetworkPolicyStatus;
import io.vpccni.policy.agent.PolicyAgent;
import io.vpccni.policy.agent.k8s.PolicyEndpointWatcher;
import io.vpccni.policy.agent.model.LocalPod;
import io.vpccni.policy.agent.nft.DropCounters;
import io.vpccni.policy.agent.nft.NftApplier;
import io.vpccni.policy.agent.nft.NftException;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.DelOk;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.GcOk;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.IpamRequest;
import io.vpccni.rpc.veth.HostVethName;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * ipamd's side of the network policy agent (docs/network-policy.md), the one class the composition root calls:
 * {@link #create} before the RPC socket listens, {@link #wrap} around the RPC handler so that a pod's ADD, DEL and GC
 * reach the agent (its address and host veth; in strict mode the ADD returns only once the pod is denied), and
 * {@link #start} once the checkpoint is restored (the pods already on the node, then the PolicyEndpoint watch).
 * With ENABLE_NETWORK_POLICY=false it does nothing and the handler is returned as it is.
 *
 * <p>Needs CAP_NET_ADMIN (nft) and, in the node's ClusterRole, {@code AgentPermissions}.
 */
public final class NodeNetworkPolicy implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NodeNetworkPolicy.class.getName());
    /** How long a strict-mode ADD waits for its pod's deny elements before the pod is wired anyway (logged). */
    static final Duration STRICT_ADD_WAIT = Duration.ofSeconds(5);

    private final NetworkPolicySettings settings;
    private final String vethPrefix;
    private final Optional<PolicyAgent> agent;
    private final Function<PolicyAgent, AutoCloseable> watch;
    private AutoCloseable watching;

    NodeNetworkPolicy(NetworkPolicySettings settings, String vethPrefix, Optional<PolicyAgent> agent,
                      Function<PolicyAgent, AutoCloseable> watch) {
        this.settings = settings;
        this.vethPrefix = vethPrefix;
        this.agent = agent;
        this.watch = watch;
    }

    /**
     * The agent for this node when the configuration enables it (nft on the host, PolicyEndpoints from the API
     * server in the pod's service account), otherwise one that does nothing.
     *
     * @param nodeIp the node's primary address (PolicyEndpoints name a pod's node by it), asked only when enabled
     */
    public static NodeNetworkPolicy create(IpamdConfig config, java.util.function.Supplier<String> nodeIp) {
        NetworkPolicySettings settings = config.networkPolicy();
        if (!settings.enabled()) {
            return new NodeNetworkPolicy(settings, config.hostNetwork().vethPrefix(), Optional.empty(), a -> () -> {});
        }
        String node = config.daemon().nodeName().orElseThrow(); // the configuration requires it when enabled
        PolicyEndpointWatcher watcher = PolicyEndpointWatcher.inCluster(node, settings.source());
        PolicyAgent agent = new PolicyAgent(new PolicyAgent.Settings(Optional.of(nodeIp.get()), settings.mode(),
                settings.source() == io.vpccni.policy.agent.EndpointSource.ALL, STRICT_ADD_WAIT),
                NftApplier.host(), List.of(), watcher);
        return new NodeNetworkPolicy(settings, config.hostNetwork().vethPrefix(), Optional.of(agent), a -> {
            watcher.start(a);
            return watcher;
        });
    }

    /** The RPC handler, telling the agent about the pods it adds and removes. */
    public Function<IpamRequest, IpamReply> wrap(Function<IpamRequest, IpamReply> handler) {
        if (agent.isEmpty()) {
            return handler;
        }
        PolicyAgent a = agent.get();
        return request -> {
            IpamReply reply = handler.apply(request);
            try {
                switch (request) {
                    case AddRequest add when reply instanceof AddOk ok -> a.podAdded(new LocalPod(ok.ipv4Address(),
                            Optional.of(HostVethName.of(vethPrefix, add.podNamespace(), add.podName())),
                            add.podNamespace(), add.podName()));
                    case DelRequest del when reply instanceof DelOk ok ->
                            ok.released().ifPresent(r -> a.podDeleted(r.ipv4Address()));
                    case io.vpccni.rpc.message.GcRequest gc when reply instanceof GcOk ok ->
                            ok.released().forEach(r -> a.podDeleted(r.ipv4Address()));
                    default -> { }
                }
            } catch (RuntimeException e) {
                // The address is assigned and in the checkpoint: the pod is served; policy catches up on the next change.
                LOG.log(Level.WARNING, "network policy: could not record the pod change: " + e.getMessage(), e);
            }
            return reply;
        };
    }

    /** Hands the agent the restored pods, then starts the agent and the PolicyEndpoint watch. */
    public void start(Collection<Allocation> restored) {
        if (agent.isEmpty()) {
            return;
        }
        agent.get().podsRestored(restored.stream().map(this::localPod).toList());
        agent.get().start();
        watching = watch.apply(agent.get());
        LOG.log(Level.INFO, "network policy agent started ({0} mode, {1} pods on the node)", settings.modeText(),
                restored.size());
    }

    private LocalPod localPod(Allocation a) {
        return new LocalPod(a.ip().toString(), Optional.of(HostVethName.of(vethPrefix, a.pod().namespace(),
                a.pod().name())), a.pod().namespace(), a.pod().name());
    }

    /** What the status command and the metrics show; empty when network policy is off. */
    public Optional<NetworkPolicyStatus> status() {
        return agent.map(a -> {
            PolicyAgent.Status s = a.status();
            Optional<NetworkPolicyStatus.Drops> drops;
            try {
                DropCounters d = a.drops();
                drops = Optional.of(new NetworkPolicyStatus.Drops(d.ingressPackets(), d.egressPackets()));
            } catch (NftException e) {
                drops = Optional.empty();
            }
            return new NetworkPolicyStatus(settings.modeText(), s.listed(), s.policies(), s.endpoints(), s.pods(),
                    s.rejected().stream().map(r -> r.namespace() + "/" + r.name() + ": " + r.problem()).toList(),
                    drops, s.lastError());
        });
    }

    /** Stops the watch and the agent; the table stays in the kernel, enforced, for the next ipamd. */
    @Override
    public void close() {
        try {
            if (watching != null) {
                watching.close();
            }
        } catch (Exception e) {
            LOG.log(Level.WARNING, "stopping the PolicyEndpoint watch: " + e.getMessage());
        }
        agent.ifPresent(PolicyAgent::close);
    }
}
