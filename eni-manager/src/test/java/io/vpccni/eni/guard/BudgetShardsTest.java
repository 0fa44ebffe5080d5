package io.vpccni.eni.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The budget's pure decision: shards per API, which to take, read or wait for. */
class BudgetShardsTest {

    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final Duration TERM = Duration.ofSeconds(1);
    private static final Duration MARGIN = Duration.ofMillis(100);
    private static final List<String> NAMES = BudgetShards.names("CreateNetworkInterface", 3);

    private static BudgetShards.Shard held(String name, String holder, Instant renewed) {
        return new BudgetShards.Shard(name, Optional.of(holder), renewed, TERM, Optional.of("7"));
    }

    private static BudgetShards.Decision decide(Map<String, BudgetShards.Shard> known, int misses, double random) {
        return BudgetShards.decide(NAMES, known, NOW, MARGIN, misses, random, Duration.ofSeconds(2));
    }

    @Test
    void anApiGetsOneShardPerCallItsBucketRefillsInATermAndAtLeastOne() {
        assertThat(BudgetShards.count(5, Duration.ofSeconds(1))).isEqualTo(5);
        assertThat(BudgetShards.count(5, Duration.ofSeconds(2))).isEqualTo(10);
        assertThat(BudgetShards.count(2.5, Duration.ofSeconds(1))).as("floor: never over the refill").isEqualTo(2);
        assertThat(BudgetShards.count(0.2, Duration.ofSeconds(1))).isEqualTo(1);
        assertThatThrownBy(() -> BudgetShards.count(0, TERM)).hasMessageContaining("positive rate");
    }

    @Test
    void shardsAreNamedAfterTheApiInLowerCaseAsLeaseNamesMustBe() {
        assertThat(NAMES).containsExactly("vpc-cni-ec2-budget-createnetworkinterface-0",
                "vpc-cni-ec2-budget-createnetworkinterface-1", "vpc-cni-ec2-budget-createnetworkinterface-2");
        assertThatThrownBy(() -> BudgetShards.names("Create_Eni", 1)).hasMessageContaining("Create_Eni");
    }

    @Test
    void theFirstShardKnownFreeInTheNodesOrderIsTaken() {
        var expired = held(NAMES.get(1), "node-b", NOW.minus(TERM).minus(MARGIN)); // free exactly now
        var absent = BudgetShards.Shard.absent(NAMES.get(2));
        assertThat(decide(Map.of(NAMES.get(0), held(NAMES.get(0), "node-a", NOW), NAMES.get(1), expired,
                NAMES.get(2), absent), 0, 0)).isEqualTo(new BudgetShards.Decision.Take(expired));
        assertThat(decide(Map.of(NAMES.get(2), absent), 0, 0))
                .as("a shard no node created yet is free: it is created").isEqualTo(new BudgetShards.Decision.Take(absent));
    }

    @Test
    void aShardIsHeldUntilItsTermAndTheMarginAreOverWhoeverHoldsIt() {
        var mine = held(NAMES.get(0), "me", NOW.minus(TERM)); // term over, margin not
        assertThat(decide(Map.of(NAMES.get(0), mine), 0, 0))
                .as("one call per shard per term, the holder's own next call included")
                .isEqualTo(new BudgetShards.Decision.Read(NAMES.get(1)));
    }

    @Test
    void aShardNotKnownIsReadBeforeWaitingForAHeldOne() {
        assertThat(decide(Map.of(), 0, 0)).isEqualTo(new BudgetShards.Decision.Read(NAMES.get(0)));
        assertThat(decide(Map.of(NAMES.get(0), held(NAMES.get(0), "node-a", NOW)), 0, 0))
                .isEqualTo(new BudgetShards.Decision.Read(NAMES.get(1)));
    }

    @Test
    void whenEveryShardIsHeldTheNodeWaitsForTheFirstToComeFreePlusAJitterThatGrowsWithItsMisses() {
        Map<String, BudgetShards.Shard> allHeld = Map.of(
                NAMES.get(0), held(NAMES.get(0), "a", NOW.minusMillis(200)),
                NAMES.get(1), held(NAMES.get(1), "b", NOW.minusMillis(600)), // free at NOW + 500 ms
                NAMES.get(2), held(NAMES.get(2), "c", NOW));
        assertThat(decide(allHeld, 0, 0)).isEqualTo(new BudgetShards.Decision.Wait(Duration.ofMillis(500)));
        assertThat(decide(allHeld, 0, 0.5)).isEqualTo(new BudgetShards.Decision.Wait(Duration.ofMillis(525)));
        assertThat(decide(allHeld, 3, 0.5)).isEqualTo(new BudgetShards.Decision.Wait(Duration.ofMillis(700)));
        assertThat(decide(allHeld, 30, 0.5)).as("capped at 2 s")
                .isEqualTo(new BudgetShards.Decision.Wait(Duration.ofMillis(1500)));
    }
}
