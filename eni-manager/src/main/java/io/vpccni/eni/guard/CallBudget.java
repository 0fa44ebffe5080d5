package io.vpccni.eni.guard;

/**
 * The account's EC2 call budget, shared by the nodes of a cluster, which {@link Ec2Guard} consults before every
 * request it sends. EC2's token buckets are the account's, per API; a node's own rate limit cannot know what the
 * other nodes spend. An implementation holds a share of a bucket for the node ({@link ShardedBudget}: shards held
 * through Kubernetes Leases) and answers when the node may spend it, or answers {@link Grant.Local} when it has no
 * share to give (the API is not budgeted, the cluster cannot be reached): the guard's own rate limit then decides
 * alone, as without a budget.
 */
@FunctionalInterface
public interface CallBudget {

    /**
     * The priority of the calls made where it is bound (the pool binds it around an action it applies);
     * {@link Priority#DEMAND} where it is not.
     */
    ScopedValue<Priority> PRIORITY = ScopedValue.newInstance();

    /**
     * Waits until one call of {@code operation} may go; how it was granted. The call's priority is
     * {@link #PRIORITY}'s.
     *
     * @throws InterruptedException when the waiting thread is interrupted (the daemon is stopping)
     */
    Grant acquire(String operation) throws InterruptedException;

    /** The priority bound to the calling thread's scope, {@link Priority#DEMAND} when none is. */
    static Priority priority() {
        return PRIORITY.orElse(Priority.DEMAND);
    }

    /** Whom a call serves, when the account's tokens are scarce. */
    enum Priority {
        /** Pods: ADDs waiting or coming (pods bound to the node), or a pool with no free address. May queue. */
        DEMAND,
        /**
         * The static warm targets, met while the pool still has a free address: queues for a token no longer than
         * {@link ShardedBudget.Settings#topUpWait} (the pods' wait by default: measured, a shorter one made pods
         * slower at WARM_ENI_TARGET=1) and is deferred otherwise (the next tick asks again).
         */
        TOP_UP
    }

    /** How a call was let go, or why not. */
    sealed interface Grant {
        /** Within the account's budget: the node held {@code shard} for this call. */
        record Shared(String shard) implements Grant {}

        /** Without the shared budget, on the node's own rate limit, for {@code reason}. */
        record Local(String reason) implements Grant {}

        /**
         * Not now, for {@code reason}: a {@link Priority#TOP_UP} call when the budget has no token to spare within
         * its wait, or any call whose turn comes after the budget's longest wait (the account's bucket is spoken for
         * until then). The guard fails the call without sending it (the pool's next tick asks again).
         */
        record Deferred(String reason) implements Grant {}
    }

    /** No shared budget: every call on the guard's own rate limit. */
    CallBudget LOCAL = operation -> new Grant.Local("no shared budget");
}
