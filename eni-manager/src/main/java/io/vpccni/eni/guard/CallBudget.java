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
     * Waits until one call of {@code operation} may go; how it was granted.
     *
     * @throws InterruptedException when the waiting thread is interrupted (the daemon is stopping)
     */
    Grant acquire(String operation) throws InterruptedException;

    /** How a call was let go. */
    sealed interface Grant {
        /** Within the account's budget: the node held {@code shard} for this call. */
        record Shared(String shard) implements Grant {}

        /** Without the shared budget, on the node's own rate limit, for {@code reason}. */
        record Local(String reason) implements Grant {}
    }

    /** No shared budget: every call on the guard's own rate limit. */
    CallBudget LOCAL = operation -> new Grant.Local("no shared budget");
}
