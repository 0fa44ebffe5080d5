package io.vpccni.ipamd.k8s;

import io.vpccni.eni.guard.CallBudget;
import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.eni.subnet.SubnetSelector;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.AllocationKey;
import io.vpccni.ipamd.pool.EniPlacement;
import io.vpccni.ipamd.pool.PoolEvents;
import io.vpccni.ipamd.warmpool.NodeCondition;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What the daemon gets from Kubernetes, with no Kubernetes client type in sight (only this package imports
 * fabric8). Nothing here blocks on the API server: without custom networking the node serves pods while the
 * API server is unreachable, and catches up when it returns.
 */
public interface ClusterLink extends AutoCloseable {

    /**
     * What the link needs from the daemon.
     *
     * @param release           releases one assignment and persists the checkpoint; false when it was not there
     * @param stillWired        whether an assignment's host veth still exists
     * @param outOfAddressesAtEniLimit no address is free and every ENI the instance allows is attached and full
     * @param podBound          called when a pod is bound to the node (WARM_POOL_FOR_BOUND_PODS wakes the pool)
     */
    record DaemonHooks(Supplier<List<Allocation>> allocations, Predicate<AllocationKey> release,
                       Predicate<Allocation> stillWired, BooleanSupplier outOfAddressesAtEniLimit,
                       Runnable podBound) {

        /** Hooks for a daemon that does not care when pods are bound. */
        public DaemonHooks(Supplier<List<Allocation>> allocations, Predicate<AllocationKey> release,
                           Predicate<Allocation> stillWired, BooleanSupplier outOfAddressesAtEniLimit) {
            this(allocations, release, stillWired, outOfAddressesAtEniLimit, () -> {});
        }
    }

    /** Starts watching the cluster and reconciling pods; returns at once. */
    void start(DaemonHooks hooks);

    /** The node's conditions as last seen; none while the node has not been read. */
    Set<NodeCondition> conditions();

    /**
     * Pods bound to this node whose ADD has not come (no address in the daemon's datastore), bound in the last
     * few minutes; 0 until the pods have been listed once.
     */
    int podsBoundNotAdded();

    /** Where ENIs go with custom networking: the node's ENIConfig. */
    EniPlacement customNetworkingPlacement(SubnetSelector subnets, String zone, Supplier<List<String>> primaryGroups);

    /** Pool failures an operator must act on, as node events. */
    PoolEvents poolEvents();

    /**
     * The account's EC2 budget shared with the other nodes (VPC_CNI_EC2_BUDGET_LEASES), on {@code time}'s clock;
     * {@link CallBudget#LOCAL} without a cluster.
     */
    default CallBudget ec2Budget(Ec2Guard.Time time) {
        return CallBudget.LOCAL;
    }

    @Override
    void close();

    /** No cluster (MY_NODE_NAME unset, or tests of the daemon alone). */
    ClusterLink NONE = new ClusterLink() {
        @Override
        public void start(DaemonHooks hooks) {}

        @Override
        public Set<NodeCondition> conditions() {
            return Set.of();
        }

        @Override
        public int podsBoundNotAdded() {
            return 0;
        }

        @Override
        public EniPlacement customNetworkingPlacement(SubnetSelector subnets, String zone,
                                                      Supplier<List<String>> primaryGroups) {
            return needed -> {
                throw new EniPlacement.Unavailable("custom networking needs the Kubernetes API (MY_NODE_NAME)");
            };
        }

        @Override
        public PoolEvents poolEvents() {
            return PoolEvents.NONE;
        }

        @Override
        public void close() {}
    };
}
