package io.vpccni.eni.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The budget's pure decision: shards as parts of EC2's bucket, which to take a token from, read or wait for. */
class BudgetShardsTest {

    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final Duration MARGIN = Duration.ofMillis(100);
    private static final List<String> NAMES = BudgetShards.names("CreateNetworkInterface", 3);
    /** EC2's mutating bucket in 10 shards: 5 tokens each, 0.5 a second. */
    private static final BudgetShards.Bucket SHARD = new BudgetShards.Bucket(50, 5).split(10);

    private static BudgetShards.Shard taken(String name, Instant at, double tokensLeft) {
        return new BudgetShards.Shard(name, Optional.of("node-a"), at, tokensLeft, Optional.of("7"));
    }

    private static BudgetShards.Decision decide(Map<String, BudgetShards.Shard> known, int misses, double random) {
        return BudgetShards.decide(NAMES, known, NOW, SHARD, MARGIN, misses, random, Duration.ofSeconds(2));
    }

    @Test
    void theShardsOfABucketTogetherHoldItsTokensAndRefillAndEachAWholeToken() {
        assertThat(SHARD).isEqualTo(new BudgetShards.Bucket(5, 0.5));
        assertThatThrownBy(() -> new BudgetShards.Bucket(50, 5).split(51)).hasMessageContaining("51 shards");
        assertThatThrownBy(() -> new BudgetShards.Bucket(0.5, 5)).hasMessageContaining("at least one token");
    }

    @Test
    void shardsAreNamedAfterTheApiInLowerCaseAsLeaseNamesMustBe() {
        assertThat(NAMES).containsExactly("vpc-cni-ec2-budget-createnetworkinterface-0",
                "vpc-cni-ec2-budget-createnetworkinterface-1", "vpc-cni-ec2-budget-createnetworkinterface-2");
        assertThatThrownBy(() -> BudgetShards.names("Create_Eni", 1)).hasMessageContaining("Create_Eni");
    }

    @Test
    void aShardRefillsFromItsLastTakeLessTheMarginUpToItsCapacity() {
        var shard = taken(NAMES.get(0), NOW.minusSeconds(2), 0);
        assertThat(shard.tokensAt(NOW, SHARD, MARGIN)).isCloseTo(0.95, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(shard.tokensAt(NOW.plusSeconds(60), SHARD, MARGIN)).isEqualTo(5);
        assertThat(BudgetShards.Shard.absent("x").tokensAt(NOW, SHARD, MARGIN)).as("never taken from: full")
                .isEqualTo(5);
    }

    @Test
    void aTokenIsTakenFromTheFirstShardKnownToHaveOneInTheNodesOrder() {
        var empty = taken(NAMES.get(0), NOW, 0.2);
        var two = taken(NAMES.get(1), NOW.minusSeconds(1).minus(MARGIN), 1.5); // 2 tokens now
        assertThat(decide(Map.of(NAMES.get(0), empty, NAMES.get(1), two), 0, 0))
                .isEqualTo(new BudgetShards.Decision.Take(two, 1.0));
        var absent = BudgetShards.Shard.absent(NAMES.get(2));
        assertThat(decide(Map.of(NAMES.get(2), absent), 0, 0)).as("a shard nobody created yet is full: created")
                .isEqualTo(new BudgetShards.Decision.Take(absent, 4.0));
    }

    @Test
    void aShardNotKnownIsReadBeforeWaitingForAToken() {
        assertThat(decide(Map.of(), 0, 0)).isEqualTo(new BudgetShards.Decision.Read(NAMES.get(0)));
        assertThat(decide(Map.of(NAMES.get(0), taken(NAMES.get(0), NOW, 0)), 0, 0))
                .isEqualTo(new BudgetShards.Decision.Read(NAMES.get(1)));
    }

    @Test
    void withNoTokenAnywhereTheNodeWaitsForTheFirstPlusAJitterThatGrowsWithItsMisses() {
        Map<String, BudgetShards.Shard> empty = Map.of(
                NAMES.get(0), taken(NAMES.get(0), NOW, 0), // a token at NOW + 100 ms + 2 s
                NAMES.get(1), taken(NAMES.get(1), NOW, 0.5), // at NOW + 100 ms + 1 s
                NAMES.get(2), taken(NAMES.get(2), NOW.minusMillis(500), 0)); // at NOW - 400 ms + 2 s
        assertThat(decide(empty, 0, 0)).isEqualTo(new BudgetShards.Decision.Wait(Duration.ofMillis(1100)));
        assertThat(decide(empty, 0, 0.5)).isEqualTo(new BudgetShards.Decision.Wait(Duration.ofMillis(1125)));
        assertThat(decide(empty, 3, 0.5)).isEqualTo(new BudgetShards.Decision.Wait(Duration.ofMillis(1300)));
        assertThat(decide(empty, 30, 0.5)).as("capped at 2 s")
                .isEqualTo(new BudgetShards.Decision.Wait(Duration.ofMillis(2100)));
    }
}
