package io.vpccni.eni.fake;

import io.vpccni.eni.guard.BudgetShards;
import io.vpccni.eni.guard.ShardStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster's budget shards in memory, as the API server keeps Leases: a version per shard, bumped by every take,
 * and a take refused when the version it saw is not the current one (a create refused when the shard exists). Every
 * request takes {@code latency} through the {@link Sleeper} (the API server's round trip; virtual time in the fleet
 * simulation) and is answered as the store stands after it. {@link #reachable} false makes every request fail, as a
 * node cut off from the API server sees it.
 */
public final class FakeShardStore implements ShardStore {

    private final Sleeper sleeper;
    private final Duration latency;
    private final Map<String, BudgetShards.Shard> shards = new HashMap<>();
    private long versions;
    private long requests;
    private long reads;
    private long refused;
    private volatile boolean reachable = true;

    public FakeShardStore(Sleeper sleeper, Duration latency) {
        this.sleeper = sleeper;
        this.latency = latency;
    }

    public void reachable(boolean reachable) {
        this.reachable = reachable;
    }

    @Override
    public BudgetShards.Shard read(String name) {
        roundTrip();
        synchronized (this) {
            reads++;
            return shards.getOrDefault(name, BudgetShards.Shard.absent(name));
        }
    }

    @Override
    public Optional<BudgetShards.Shard> take(BudgetShards.Shard seen, String holder, Instant now, double tokensLeft) {
        roundTrip();
        synchronized (this) {
            BudgetShards.Shard current = shards.getOrDefault(seen.name(), BudgetShards.Shard.absent(seen.name()));
            if (!current.version().equals(seen.version())) {
                refused++;
                return Optional.empty();
            }
            BudgetShards.Shard taken = new BudgetShards.Shard(seen.name(), Optional.of(holder), now, tokensLeft,
                    Optional.of(String.valueOf(++versions)));
            shards.put(seen.name(), taken);
            return Optional.of(taken);
        }
    }

    /** Reads answered so far. */
    public synchronized long reads() {
        return reads;
    }

    /** Takes refused on a stale version so far. */
    public synchronized long refusedTakes() {
        return refused;
    }

    /** Requests answered or refused so far. */
    public synchronized long requests() {
        return requests;
    }

    private void roundTrip() {
        synchronized (this) {
            requests++;
        }
        try {
            sleeper.sleep(latency);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the shard store", e);
        }
        if (!reachable) {
            throw new IllegalStateException("connection refused: the API server cannot be reached");
        }
    }
}
