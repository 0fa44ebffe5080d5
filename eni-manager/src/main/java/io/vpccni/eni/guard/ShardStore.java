package io.vpccni.eni.guard;

import java.time.Instant;
import java.util.Optional;

/**
 * Where a {@link ShardedBudget}'s shards live, shared by every node of the cluster: Kubernetes Leases in the daemon
 * ({@code ipamd.k8s}), an in-memory map in the tests and the fleet simulation. Every call may fail with a
 * {@link RuntimeException} when the store cannot be reached; the budget then falls back to the node's own rate.
 */
public interface ShardStore {

    /** The shard as the store has it now; {@link BudgetShards.Shard#absent} when it was never created. */
    BudgetShards.Shard read(String name);

    /**
     * Records that {@code holder} took a token from {@code seen} at {@code now}, leaving {@code tokensLeft}, only if
     * the store still has the shard as {@code seen} (its version; created when {@code seen} is absent): optimistic,
     * so that of two nodes taking from the same shard one wins. The shard as written, or empty when another node
     * changed it first.
     */
    Optional<BudgetShards.Shard> take(BudgetShards.Shard seen, String holder, Instant now, double tokensLeft);
}
