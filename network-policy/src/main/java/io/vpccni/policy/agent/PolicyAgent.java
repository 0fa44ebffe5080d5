package io.vpccni.policy.agent;

import io.vpccni.policy.agent.model.EnforcingMode;
import io.vpccni.policy.agent.model.LocalPod;
import io.vpccni.policy.agent.model.NodeModel;
import io.vpccni.policy.agent.model.NodePolicyModel;
import io.vpccni.policy.agent.model.Rejection;
import io.vpccni.policy.agent.nft.DropCounters;
import io.vpccni.policy.agent.nft.NftApplier;
import io.vpccni.policy.agent.nft.NftException;
import io.vpccni.policy.agent.nft.NftScript;
import io.vpccni.policy.endpoint.PodEndpoint;
import io.vpccni.policy.endpoint.PolicyEndpoint;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The node agent: holds the PolicyEndpoints that concern this node and the local pods, and keeps the kernel's table
 * equal to their model. One worker thread applies; changes that arrive while it applies are coalesced into the next
 * apply, so a burst of updates costs a few nft runs, not one per change.
 *
 * <p>Restart: the kernel keeps the table when ipamd dies, and this agent changes nothing before the watcher has
 * listed every PolicyEndpoint ({@link #endpointsListed}); its first apply then replaces the table in one transaction
 * (as every apply does), so enforcement never lapses. STRICT's new pods get deny entries added to the table as it
 * is, at once, before the next replacement.
 *
 * <p>A PolicyEndpoint that cannot be decoded or enforced is skipped, logged and reported through {@link Events}
 * (once per object and problem); the rest is enforced.
 */
public final class PolicyAgent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PolicyAgent.class.getName());
    private static final Duration RETRY = Duration.ofSeconds(1);

    /**
     * @param nodeIp        this node's primary address (PolicyEndpoints name pods' nodes by it)
     * @param onlyLocal     keep only PolicyEndpoints with a pod on this node (the watcher sees every PolicyEndpoint of
     *                      the cluster: NETWORK_POLICY_ENDPOINT_SOURCE=all)
     * @param podAddWait    how long a STRICT pod's ADD waits for its deny elements to be in the kernel
     */
    public record Settings(Optional<String> nodeIp, EnforcingMode mode, boolean onlyLocal, Duration podAddWait) {}

    /** Where a PolicyEndpoint the agent skips is reported (a Kubernetes event in ipamd). */
    public interface Events {
        void cannotEnforce(String namespace, String name, String problem);

        Events NONE = (namespace, name, problem) -> {};
    }

    /** What the status command and the metrics show. */
    public record Status(boolean listed, int policies, int endpoints, int pods, List<Rejection> rejected,
                         long applies, Optional<String> lastError) {}

    private final Settings settings;
    private final NftApplier nft;
    private final Events events;
    private final Object lock = new Object();
    private final Map<String, PolicyEndpoint> endpoints = new TreeMap<>();
    private final Map<String, Rejection> undecodable = new TreeMap<>();
    private final Map<String, LocalPod> pods = new LinkedHashMap<>();
    private final List<LocalPod> strictPending = new ArrayList<>();
    private final Set<Rejection> reported = new HashSet<>();
    private final Thread worker;
    private boolean listed;
    private long requested;
    private long applied;
    private long applies;
    private String lastError;
    private NodeModel model = NodeModel.EMPTY;
    private DropCounters carried = DropCounters.ZERO;
    private volatile boolean closed;

    public PolicyAgent(Settings settings, NftApplier nft, Collection<LocalPod> initialPods, Events events) {
        this.settings = settings;
        this.nft = nft;
        this.events = events;
        initialPods.forEach(p -> pods.put(p.ip(), p));
        this.worker = Thread.ofPlatform().name("network-policy").daemon().unstarted(this::run);
    }

    public PolicyAgent start() {
        worker.start();
        return this;
    }

    // --- the watcher's side ---

    /** The complete list, at start and after a watch is re-listed; the first one lets the agent touch the table. */
    public void endpointsListed(Collection<PolicyEndpoint> all, Collection<Rejection> notDecoded) {
        synchronized (lock) {
            endpoints.clear();
            undecodable.clear();
            all.stream().filter(this::concernsNode).forEach(pe -> endpoints.put(key(pe.namespace(), pe.name()), pe));
            notDecoded.forEach(r -> undecodable.put(key(r.namespace(), r.name()), r));
            listed = true;
            changed();
        }
    }

    public void endpointChanged(PolicyEndpoint pe) {
        synchronized (lock) {
            String key = key(pe.namespace(), pe.name());
            undecodable.remove(key);
            if (concernsNode(pe)) {
                endpoints.put(key, pe);
            } else {
                endpoints.remove(key);
            }
            changed();
        }
    }

    /** An object that does not decode: what it enforced before is withdrawn, and it is reported. */
    public void endpointUndecodable(Rejection rejection) {
        synchronized (lock) {
            String key = key(rejection.namespace(), rejection.name());
            endpoints.remove(key);
            undecodable.put(key, rejection);
            changed();
        }
    }

    public void endpointDeleted(String namespace, String name) {
        synchronized (lock) {
            String key = key(namespace, name);
            endpoints.remove(key);
            undecodable.remove(key);
            changed();
        }
    }

    // --- ipamd's side ---

    /**
     * A pod ipamd gave an address to, before its interface exists. STRICT: returns once the pod's deny entries are
     * in the kernel (a small transaction of its own, ahead of the table's next replacement, which then has the pod
     * too), or after the settings' wait, logged; so the pod never has a moment without policy.
     */
    public void podAdded(LocalPod pod) {
        boolean strict = settings.mode() == EnforcingMode.STRICT;
        synchronized (lock) {
            pods.put(pod.ip(), pod);
            if (strict) {
                strictPending.add(pod);
            }
            changed();
        }
        if (strict && !awaitDenied(pod, settings.podAddWait())) {
            LOG.log(Level.WARNING, "pod {0}/{1} ({2}) is wired before its deny-all policy is enforced: {3}",
                    pod.namespace(), pod.name(), pod.ip(), String.valueOf(lastError()));
        }
    }

    /** Pods already on the node when ipamd starts (its checkpoint): known, not new, so never held as STRICT's. */
    public void podsRestored(Collection<LocalPod> restored) {
        synchronized (lock) {
            restored.forEach(p -> pods.put(p.ip(), p));
            changed();
        }
    }

    public void podDeleted(String ip) {
        synchronized (lock) {
            if (pods.remove(ip) != null) {
                changed();
            }
        }
    }

    // --- reading ---

    /** Waits until every change made before the call is in the kernel; false after {@code timeout}. */
    public boolean awaitApplied(Duration timeout) {
        long wanted;
        synchronized (lock) {
            wanted = requested;
        }
        return awaitApplied(wanted, timeout);
    }

    public Status status() {
        synchronized (lock) {
            List<Rejection> rejected = new ArrayList<>(undecodable.values());
            rejected.addAll(model.rejected());
            return new Status(listed, model.policies().size(), model.endpoints(), model.pods().size(), rejected,
                    applies, Optional.ofNullable(lastError));
        }
    }

    /** Packets and bytes dropped by policy since the agent started (nft's counters, read now). */
    public DropCounters drops() throws NftException {
        DropCounters now = nft.counters();
        synchronized (lock) {
            return carried.plus(now);
        }
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
    }

    private Optional<String> lastError() {
        synchronized (lock) {
            return Optional.ofNullable(lastError);
        }
    }

    private boolean awaitDenied(LocalPod pod, Duration timeout) {
        return await(() -> !strictPending.contains(pod), timeout);
    }

    private boolean awaitApplied(long wanted, Duration timeout) {
        return await(() -> applied >= wanted, timeout);
    }

    /** Waits, holding the lock between looks, until {@code done} (read under the lock); false after the timeout. */
    private boolean await(java.util.function.BooleanSupplier done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return false;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private long changed() {
        requested++;
        lock.notifyAll();
        return requested;
    }

    private boolean concernsNode(PolicyEndpoint pe) {
        if (!settings.onlyLocal()) {
            return true;
        }
        for (PodEndpoint ep : pe.podSelectorEndpoints()) {
            if (pods.containsKey(ep.podIp()) || settings.nodeIp().isPresent()
                    && settings.nodeIp().get().equals(ep.hostIp())) {
                return true;
            }
        }
        return false;
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    private void run() {
        while (!closed) {
            long target;
            List<LocalPod> pending;
            synchronized (lock) {
                while (applied >= requested && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                target = requested;
                pending = List.copyOf(strictPending);
            }
            try {
                if (!pending.isEmpty()) {
                    // STRICT's new pods first, in a transaction of their own: their ADDs wait for this one only.
                    nft.apply(NftScript.denyPods(pending));
                    synchronized (lock) {
                        strictPending.removeAll(pending);
                        lock.notifyAll();
                    }
                }
                List<PolicyEndpoint> pes;
                List<LocalPod> localPods;
                List<Rejection> notDecoded;
                boolean full;
                synchronized (lock) {
                    full = listed;
                    pes = List.copyOf(endpoints.values());
                    localPods = List.copyOf(pods.values());
                    notDecoded = List.copyOf(undecodable.values());
                }
                if (full) {
                    applyModel(pes, localPods, notDecoded);
                }
                synchronized (lock) {
                    applied = Math.max(applied, target);
                    lastError = null;
                    lock.notifyAll();
                }
            } catch (NftException | RuntimeException e) {
                LOG.log(Level.WARNING, "network policy not applied, retrying in " + RETRY.toSeconds() + " s: "
                        + e.getMessage());
                synchronized (lock) {
                    lastError = e.getMessage();
                }
                try {
                    Thread.sleep(RETRY);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void applyModel(List<PolicyEndpoint> pes, List<LocalPod> localPods, List<Rejection> notDecoded)
            throws NftException {
        NodeModel next = NodePolicyModel.build(pes, localPods, settings.nodeIp(), settings.mode());
        long started = System.nanoTime();
        // Replaced whole, in one transaction (NftScript): the counters restart, so they are read and carried first.
        carry();
        nft.apply(NftScript.replace(next));
        LOG.log(Level.DEBUG, "network policy applied in {0} ms: {1} pods isolated, {2} PolicyEndpoints",
                (System.nanoTime() - started) / 1_000_000, next.pods().size(), next.endpoints());
        List<Rejection> all = new ArrayList<>(notDecoded);
        all.addAll(next.rejected());
        synchronized (lock) {
            model = next;
            applies++;
        }
        for (Rejection r : all) {
            if (reported.add(r)) {
                LOG.log(Level.WARNING, "not enforcing " + r);
                events.cannotEnforce(r.namespace(), r.name(), r.problem());
            }
        }
        reported.retainAll(new HashSet<>(all));
    }

    /**
     * The counters before a replace resets them, so the metric keeps counting up; drops between this read and the
     * replace (a few milliseconds) are not counted.
     */
    private void carry() {
        try {
            DropCounters before = nft.counters();
            synchronized (lock) {
                carried = carried.plus(before);
            }
        } catch (NftException e) {
            LOG.log(Level.DEBUG, "no counters to carry: " + e.getMessage());
        }
    }
}
