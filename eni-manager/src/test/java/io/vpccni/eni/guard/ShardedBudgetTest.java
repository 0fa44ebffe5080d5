package io.vpccni.eni.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.fake.FakeShardStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The budget over a shared store: the account's rate, losing a take, falling back to the node's own rate. */
class ShardedBudgetTest {

    private static final String CREATE = "CreateNetworkInterface";

    private static ShardedBudget.Settings settings(Duration maxWait) {
        return new ShardedBudget.Settings(Map.of(CREATE, new BudgetShards.Bucket(10, 5)), 5, Duration.ofMillis(100),
                maxWait, Duration.ofSeconds(30), Duration.ofMillis(200));
    }

    /** EC2's bucket here: 10 tokens, 5 a second, in 5 shards. Whatever the nodes ask, EC2 would never refuse. */
    @Test
    void howeverManyNodesAskTheCallsStayWithinTheBucketTheShardsSplit() throws Exception {
        ManualTime time = new ManualTime();
        FakeShardStore store = new FakeShardStore(time::sleep, Duration.ofMillis(20));
        List<ShardedBudget> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nodes.add(new ShardedBudget(store, "node-" + i, settings(Duration.ofSeconds(60)), time));
        }
        List<Instant> granted = new ArrayList<>();
        for (int call = 0; call < 60; call++) {
            var grant = nodes.get(call % nodes.size()).acquire(CREATE);
            assertThat(grant).isInstanceOf(CallBudget.Grant.Shared.class);
            granted.add(time.now());
        }
        // EC2's bucket as the fake keeps it, fed the same calls: it must have a token for each.
        double tokens = 10;
        Instant last = Instant.EPOCH;
        for (Instant at : granted) {
            tokens = Math.min(10, tokens + Duration.between(last, at).toNanos() / 1e9 * 5);
            last = at;
            assertThat(tokens).as("EC2's bucket at %s", at).isGreaterThanOrEqualTo(1 - 1e-9);
            tokens -= 1;
        }
        assertThat(Duration.between(Instant.EPOCH, granted.get(9))).as("the bucket's 10 go at once (reads aside)")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(Duration.between(Instant.EPOCH, granted.getLast())).as("then 5 a second")
                .isGreaterThan(Duration.ofSeconds(9));
        assertThat(nodes.stream().mapToLong(ShardedBudget::sharedGrants).sum()).isEqualTo(60);
    }

    @Test
    void aTakeThatLosesToAnotherNodeReadsAgainAndTakesAnotherShard() throws Exception {
        ManualTime time = new ManualTime();
        FakeShardStore store = new FakeShardStore(time::sleep, Duration.ZERO);
        ShardedBudget budget = new ShardedBudget(store, "node-a", settings(Duration.ofSeconds(60)), time);
        String first = ((CallBudget.Grant.Shared) budget.acquire(CREATE)).shard();
        time.sleep(Duration.ofSeconds(2)); // node-a believes its shard has tokens, at the version it took it
        store.take(store.read(first), "node-b", time.now(), 0).orElseThrow();

        String second = ((CallBudget.Grant.Shared) budget.acquire(CREATE)).shard();

        assertThat(second).isNotEqualTo(first);
        assertThat(store.read(first).holder()).contains("node-b");
        assertThat(store.read(second).holder()).contains("node-a");
    }

    @Test
    void anApiOutsideTheBudgetGoesOnTheNodesOwnRateWithoutAskingTheStore() throws Exception {
        ManualTime time = new ManualTime();
        FakeShardStore store = new FakeShardStore(time::sleep, Duration.ZERO);
        ShardedBudget budget = new ShardedBudget(store, "node-a", settings(Duration.ofSeconds(60)), time);
        assertThat(budget.acquire("DescribeSubnets")).isEqualTo(new CallBudget.Grant.Local("not budgeted"));
        assertThat(store.requests()).isZero();
    }

    @Test
    void aStoreThatCannotBeReachedLeavesTheCallsToTheNodesOwnRateForAWhileThenIsAskedAgain() throws Exception {
        ManualTime time = new ManualTime();
        FakeShardStore store = new FakeShardStore(time::sleep, Duration.ZERO);
        ShardedBudget budget = new ShardedBudget(store, "node-a", settings(Duration.ofSeconds(60)), time);
        store.reachable(false);
        assertThat(budget.acquire(CREATE)).isEqualTo(new CallBudget.Grant.Local("shard store unreachable"));
        long asked = store.requests();
        store.reachable(true);
        time.sleep(Duration.ofSeconds(29));
        assertThat(budget.acquire(CREATE)).isInstanceOf(CallBudget.Grant.Local.class);
        assertThat(store.requests()).as("not asked again within the 30 s").isEqualTo(asked);
        time.sleep(Duration.ofSeconds(2));
        assertThat(budget.acquire(CREATE)).isInstanceOf(CallBudget.Grant.Shared.class);
        assertThat(budget.localGrants()).containsEntry("shard store unreachable", 2L);
    }

    @Test
    void aCallThatWouldWaitLongerThanTheMostItMayGoesOnTheNodesOwnRate() throws Exception {
        ManualTime time = new ManualTime();
        FakeShardStore store = new FakeShardStore(time::sleep, Duration.ZERO);
        ShardedBudget budget = new ShardedBudget(store, "node-a", settings(Duration.ofMillis(500)), time);
        for (int i = 0; i < 10; i++) {
            assertThat(budget.acquire(CREATE)).isInstanceOf(CallBudget.Grant.Shared.class);
        }
        assertThat(budget.acquire(CREATE)).isEqualTo(
                new CallBudget.Grant.Local("no CreateNetworkInterface shard free within 500 ms"));
        assertThat(time.now()).as("it did not wait at all: the next token comes after 0.6 s").isEqualTo(Instant.EPOCH);
    }

    @Test
    void theGuardAsksTheBudgetBeforeEveryRequestItSendsRetriesIncluded() {
        ManualTime time = new ManualTime();
        List<String> asked = new ArrayList<>();
        Ec2Guard guard = new Ec2Guard(Ec2Guard.Settings.defaults().withBackoff(Duration.ofMillis(1),
                Duration.ofMillis(1)), Ec2CallObserver.NONE, time, operation -> {
                    asked.add(operation);
                    return new CallBudget.Grant.Shared("s");
                });
        AtomicInteger attempts = new AtomicInteger();
        String answer = guard.call(CREATE, () -> {
            if (attempts.incrementAndGet() == 1) {
                throw new Ec2Failure.Throttled(CREATE, "RequestLimitExceeded", "slow down", null);
            }
            return "eni-1";
        });
        assertThat(answer).isEqualTo("eni-1");
        assertThat(asked).containsExactly(CREATE, CREATE);
        assertThat(Optional.of(attempts.get())).contains(2);
    }
}
