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

    private static BudgetShards.Decision decide(Map<String, BudgetShards.Shard> known) {
        return decide(known, Duration.ofSeconds(60), Duration.ofSeconds(2));
    }

    private static BudgetShards.Decision decide(Map<String, BudgetShards.Shard> known, Duration horizon,
                                                Duration spread) {
        return BudgetShards.decide(NAMES, known, NOW, SHARD, MARGIN, horizon, spread);
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
        assertThat(decide(Map.of(NAMES.get(0), empty, NAMES.get(1), two)))
                .isEqualTo(new BudgetShards.Decision.Take(two, 1.0, Duration.ZERO));
        var absent = BudgetShards.Shard.absent(NAMES.get(2));
        assertThat(decide(Map.of(NAMES.get(2), absent))).as("a shard nobody created yet is full: created")
                .isEqualTo(new BudgetShards.Decision.Take(absent, 4.0, Duration.ZERO));
    }

    @Test
    void aShardNotKnownIsReadBeforeReservingAToken() {
        assertThat(decide(Map.of())).isEqualTo(new BudgetShards.Decision.Read(NAMES.get(0)));
        assertThat(decide(Map.of(NAMES.get(0), taken(NAMES.get(0), NOW, 0))))
                .isEqualTo(new BudgetShards.Decision.Read(NAMES.get(1)));
    }

    /** Shard 0's next token comes in 2.1 s, shard 1's in 1.1 s (the margin, then 1 s), shard 2's in 1.6 s. */
    private static final Map<String, BudgetShards.Shard> EMPTY = Map.of(
            NAMES.get(0), taken(NAMES.get(0), NOW, 0),
            NAMES.get(1), taken(NAMES.get(1), NOW, 0.5),
            NAMES.get(2), taken(NAMES.get(2), NOW.minusMillis(500), 0)); // 0.2 tokens now (the margin aside)

    @Test
    void withNoTokenAnywhereTheNodeReservesTheNextOneAndWaitsExactlyItsTurn() {
        assertThat(decide(EMPTY, Duration.ofSeconds(60), Duration.ZERO))
                .as("the earliest turn, the debt recorded for the next node")
                .isEqualTo(new BudgetShards.Decision.Take(EMPTY.get(NAMES.get(1)), -0.5, Duration.ofMillis(1100)));
        assertThat(decide(EMPTY, Duration.ofSeconds(60), Duration.ofSeconds(2)))
                .as("spread: the first shard in the node's order whose turn is within 2 s of the earliest")
                .isEqualTo(new BudgetShards.Decision.Take(EMPTY.get(NAMES.get(0)), -1.0, Duration.ofMillis(2100)));
        assertThat(decide(EMPTY, Duration.ofMillis(1500), Duration.ofSeconds(2)))
                .as("the spread never reaches past the time the call may wait")
                .isEqualTo(new BudgetShards.Decision.Take(EMPTY.get(NAMES.get(1)), -0.5, Duration.ofMillis(1100)));
    }

    @Test
    void aShardInDebtQueuesTheNextNodeBehindTheTokensReservedBeforeIt() {
        Map<String, BudgetShards.Shard> owing = Map.of(NAMES.get(0), taken(NAMES.get(0), NOW, -3),
                NAMES.get(1), taken(NAMES.get(1), NOW, -3.5), NAMES.get(2), taken(NAMES.get(2), NOW, -4));
        assertThat(decide(owing, Duration.ofSeconds(60), Duration.ZERO))
                .isEqualTo(new BudgetShards.Decision.Take(owing.get(NAMES.get(0)), -4.0, Duration.ofMillis(8100)));
        assertThat(decide(owing, Duration.ofSeconds(5), Duration.ZERO))
                .as("its turn is after the longest it may wait: none, at once, and nothing reserved")
                .isEqualTo(new BudgetShards.Decision.None(Duration.ofMillis(8100)));
    }

    @Test
    void aNodeThatKnowsAShardWithNodesQueuedOnItQueuesThereRatherThanReadTheShardsItDoesNotKnow() {
        var owing = taken(NAMES.get(1), NOW, -1); // 4.1 s away
        assertThat(decide(Map.of(NAMES.get(1), owing), Duration.ofSeconds(60), Duration.ZERO))
                .isEqualTo(new BudgetShards.Decision.Take(owing, -2.0, Duration.ofMillis(4100)));
        assertThat(decide(Map.of(NAMES.get(1), owing), Duration.ofSeconds(2), Duration.ZERO))
                .as("beyond its wait: none (the nodes spread over the shards, their queues are alike)")
                .isEqualTo(new BudgetShards.Decision.None(Duration.ofMillis(4100)));
    }

    @Test
    void theHorizonDecidesWhoQueuesAShortOneForATopUpALongOneForThePods() {
        Duration tick = Duration.ofSeconds(5);
        assertThat(decide(EMPTY, tick, Duration.ZERO)).as("a short queue: a top-up joins it")
                .isEqualTo(new BudgetShards.Decision.Take(EMPTY.get(NAMES.get(1)), -0.5, Duration.ofMillis(1100)));
        Map<String, BudgetShards.Shard> deep = Map.of(NAMES.get(0), taken(NAMES.get(0), NOW, -3),
                NAMES.get(1), taken(NAMES.get(1), NOW, -3), NAMES.get(2), taken(NAMES.get(2), NOW, -3));
        assertThat(decide(deep, tick, Duration.ZERO)).as("the part of the queue beyond the top-up's wait")
                .isEqualTo(new BudgetShards.Decision.None(Duration.ofMillis(8100)));
        assertThat(decide(deep, Duration.ofSeconds(60), Duration.ZERO))
                .isEqualTo(new BudgetShards.Decision.Take(deep.get(NAMES.get(0)), -4.0, Duration.ofMillis(8100)));
    }

    /**
     * The guarantee with reservations: 400 calls asked by nodes at random instants over 20 s (four times what EC2's
     * bucket lets go), each deciding on the shards as they stand, each call sent when its reserved turn comes. Fed
     * to EC2's bucket of 50 at 5/s in the order they are sent, every one finds a token.
     */
    @Test
    void reservedCallsSentAtTheirTurnsNeverOverdrawTheBucketTheShardsSplit() {
        BudgetShards.Bucket account = new BudgetShards.Bucket(50, 5);
        List<String> names = BudgetShards.names("CreateNetworkInterface", 10);
        java.util.Random random = new java.util.Random(7);
        java.util.Map<String, BudgetShards.Shard> store = new java.util.HashMap<>();
        names.forEach(name -> store.put(name, BudgetShards.Shard.absent(name))); // each node knows them all
        List<Instant> asked = random.doubles(400, 0, 20_000).sorted()
                .mapToObj(ms -> NOW.plusNanos((long) (ms * 1e6))).toList();
        List<Instant> sent = new java.util.ArrayList<>();
        int node = 0;
        for (Instant at : asked) {
            List<String> order = new java.util.ArrayList<>(names);
            java.util.Collections.rotate(order, node++);
            var decision = BudgetShards.decide(order, store, at, account.split(10), MARGIN, Duration.ofSeconds(60),
                    Duration.ofSeconds(2));
            var take = (BudgetShards.Decision.Take) decision;
            store.put(take.shard().name(), new BudgetShards.Shard(take.shard().name(), Optional.of("n" + node), at,
                    take.tokensLeft(), Optional.of(String.valueOf(node))));
            sent.add(at.plus(take.until()));
        }
        sent.sort(null);
        double tokens = account.capacity();
        Instant last = NOW;
        for (Instant at : sent) {
            tokens = Math.min(account.capacity(),
                    tokens + Duration.between(last, at).toNanos() / 1e9 * account.refillPerSecond());
            last = at;
            assertThat(tokens).as("EC2's bucket at %s", at).isGreaterThanOrEqualTo(1 - 1e-9);
            tokens -= 1;
        }
        assertThat(Duration.between(NOW, sent.getLast())).as("and about as fast as the bucket lets them go")
                .isLessThan(Duration.ofSeconds((400 - 50) / 5 + 10));
    }
}
