package io.vpccni.policy.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Leadership among the controller's replicas through a coordination.k8s.io Lease, with fabric8's LeaderElector: the
 * holder renews it every {@code retryPeriod}; if it cannot renew within {@code renewDeadline} it stops leading, and
 * another replica takes the lease once {@code leaseDuration} has passed since the last renewal. Closing releases the
 * lease, so a clean shutdown hands over at once. Every API call is listed in {@link ControllerPermissions}.
 *
 * <p>{@link #holdsLease} is a fence of our own on top: true only within {@code renewDeadline} of this replica's last
 * successful write of the lease. fabric8's elector calls onStopLeading only when its renew loop notices the deadline,
 * and a request that never returns (a connection gone silent, a client that failed) stalls that loop; the fence
 * still closes, so the controller stops writing when the other replica may already lead.
 */
public final class LeaderElection implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LeaderElection.class.getName());

    /** Kubernetes' own controllers' figures (kube-controller-manager's defaults). */
    public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        public static final Timing DEFAULTS = new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(2));
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String leaseName;
    private final String identity;
    private final Timing timing;
    private final Consumer<BooleanSupplier> onStartLeading;
    private final Runnable onStopLeading;
    /**
     * The elector's own thread, not the client's executor: when the client fails (closed, its pool gone) the elector
     * must still run its renew deadline out and call onStopLeading, so that this replica stops writing.
     */
    private final ExecutorService executor = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("leader-election").daemon().factory());
    private volatile CompletableFuture<?> running;
    private volatile long renewedAt = Long.MIN_VALUE;

    /**
     * @param client         used, not owned
     * @param onStartLeading called when this replica acquires the lease, with {@link #holdsLease} as the fence to
     *                       check before each write
     */
    public LeaderElection(KubernetesClient client, String namespace, String leaseName, String identity, Timing timing,
                          Consumer<BooleanSupplier> onStartLeading, Runnable onStopLeading) {
        this.client = client;
        this.namespace = namespace;
        this.leaseName = leaseName;
        this.identity = identity;
        this.timing = timing;
        this.onStartLeading = onStartLeading;
        this.onStopLeading = onStopLeading;
    }

    /** Starts competing for the lease; the future ends when this replica stops competing (lost, closed, failed). */
    public CompletableFuture<?> start() {
        // ControllerPermissions: leases get, create, patch (in the controller's namespace; fabric8's lock renews with a
        // JSON merge patch that carries the resourceVersion, not a PUT).
        running = new LeaderElectorBuilder(client, executor).withConfig(new LeaderElectionConfigBuilder()
                .withName(leaseName)
                .withLock(new FencedLock(new LeaseLock(namespace, leaseName, identity)))
                .withLeaseDuration(timing.leaseDuration())
                .withRenewDeadline(timing.renewDeadline())
                .withRetryPeriod(timing.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> onStartLeading.accept(this::holdsLease), onStopLeading, leader ->
                        LOG.log(Level.INFO, "lease " + namespace + "/" + leaseName + " is held by " + leader)))
                .build()).build().start();
        return running;
    }

    /** Whether this replica wrote the lease as its holder within the renew deadline. */
    public boolean holdsLease() {
        long at = renewedAt;
        return at != Long.MIN_VALUE && System.nanoTime() - at < timing.renewDeadline().toNanos();
    }

    /** The lease lock, noting when this replica last wrote it successfully as the holder. */
    private final class FencedLock implements Lock {
        private final Lock lock;

        FencedLock(Lock lock) {
            this.lock = lock;
        }

        @Override
        public LeaderElectionRecord get(KubernetesClient client) {
            return lock.get(client);
        }

        @Override
        public void create(KubernetesClient client, LeaderElectionRecord record) {
            long started = System.nanoTime();
            lock.create(client, record);
            written(record, started);
        }

        @Override
        public void update(KubernetesClient client, LeaderElectionRecord record) {
            long started = System.nanoTime();
            lock.update(client, record);
            written(record, started);
        }

        /** From when the write was sent: the server's clock for the lease started no later. */
        private void written(LeaderElectionRecord record, long started) {
            renewedAt = identity.equals(record.getHolderIdentity()) ? started : Long.MIN_VALUE;
        }

        @Override
        public String identity() {
            return lock.identity();
        }

        @Override
        public String describe() {
            return lock.describe();
        }
    }

    @Override
    public void close() {
        CompletableFuture<?> f = running;
        if (f != null) {
            f.cancel(true);
        }
        executor.shutdown();
    }
}
