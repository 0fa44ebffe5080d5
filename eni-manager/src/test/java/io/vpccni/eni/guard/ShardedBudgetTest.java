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

    /** A node's budget that has just spent the bucket's 10 tokens, at once, on a store of no latency. */
    private record Drained(ManualTime time, FakeShardStore store, ShardedBudget budget) {
        static Drained of(Duration maxWait) throws InterruptedException {
            ManualTime time = new ManualTime();
            FakeShardStore store = new FakeShardStore(time::sleep, Duration.ZERO);
            ShardedBudget budget = new ShardedBudget(store, "node-a", settings(maxWait), time);
            for (int i = 0; i < 10; i++) {
                assertThat(budget.acquire(CREATE)).isInstanceOf(CallBudget.Grant.Shared.class);
            }
            return new Drained(time, store, budget);
        }
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
    void aCallWhoseTurnComesAfterTheLongestItMayWaitIsDeferredUnsentNotSentOnTheNodesOwnRate() throws Exception {
        Drained node = Drained.of(Duration.ofMillis(500));
        assertThat(node.budget().acquire(CREATE)).isEqualTo(new CallBudget.Grant.Deferred(
                "no CreateNetworkInterface token within 500 ms: the account's next is 1100 ms away"));
        assertThat(node.budget().localGrants()).isEmpty();
        assertThat(node.time().now()).as("it did not wait at all: the next token comes after 1.1 s").isEqualTo(Instant.EPOCH);
    }

    @Test
    void aNodeFindingNoTokenReservesTheNextAndWaitsItsTurnWithOneWriteInsteadOfPolling() throws Exception {
        Drained node = Drained.of(Duration.ofSeconds(60));
        long before = node.store().requests();
        node.time().slept.clear();

        assertThat(node.budget().acquire(CREATE)).isInstanceOf(CallBudget.Grant.Shared.class);

        assertThat(node.store().requests() - before).as("one write: the reservation").isEqualTo(1);
        assertThat(node.time().slept.stream().filter(Duration::isPositive))
                .as("one wait: a shard's next token (1 s at 1/s) plus the clock margin")
                .containsExactly(Duration.ofMillis(1100));
    }

    @Test
    void aCallThatLostATakeReservesOnTheShardItReadsThenInsteadOfReadingTheOthersItKnowsOnlyFromBefore()
            throws Exception {
        Drained node = Drained.of(Duration.ofSeconds(60));
        node.time().sleep(Duration.ofSeconds(5)); // node-a believes every shard full again
        for (String shard : BudgetShards.names(CREATE, 5)) { // but other nodes queue on each: two tokens owed
            node.store().take(node.store().read(shard), "node-b", node.time().now(), -2).orElseThrow();
        }
        long before = node.store().requests();

        assertThat(node.budget().acquire(CREATE)).isInstanceOf(CallBudget.Grant.Shared.class);

        assertThat(node.store().requests() - before).as("the lost take, a read, the reservation").isEqualTo(3);
    }

    @Test
    void aWarmTargetTopUpIsDeferredWhereThePodsQueueBeyondItsShorterWait() throws Exception {
        ManualTime time = new ManualTime();
        FakeShardStore store = new FakeShardStore(time::sleep, Duration.ZERO);
        ShardedBudget budget = new ShardedBudget(store, "node-a", new ShardedBudget.Settings(
                Map.of(CREATE, new BudgetShards.Bucket(10, 5)), 5, Duration.ofMillis(100), Duration.ofSeconds(60),
                Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(5)), time);
        for (String shard : BudgetShards.names(CREATE, 5)) { // other nodes queue on every shard: 6.1 s
            store.take(store.read(shard), "node-b", time.now(), -5).orElseThrow();
        }

        CallBudget.Grant topUp = ScopedValue.where(CallBudget.PRIORITY, CallBudget.Priority.TOP_UP)
                .call(() -> budget.acquire(CREATE));

        assertThat(topUp).isEqualTo(new CallBudget.Grant.Deferred("no CreateNetworkInterface token to spare for a"
                + " warm-target top-up within 5000 ms: the next in 6100 ms"));
        assertThat(time.now()).as("no wait").isEqualTo(Instant.EPOCH);
        assertThat(budget.deferredGrants()).isEqualTo(1);
        assertThat(budget.acquire(CREATE)).as("pods' calls queue for their turn")
                .isInstanceOf(CallBudget.Grant.Shared.class);
        assertThat(time.now()).isEqualTo(Instant.EPOCH.plusMillis(6100));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ShardedBudget.Settings(Map.of(), 5,
                Duration.ZERO, Duration.ofSeconds(5), Duration.ZERO, Duration.ZERO, Duration.ofSeconds(6)))
                .hasMessageContaining("no longer than the pods'");
    }

    @Test
    void aCallThatFinishesAnActionIsNeverDeferredSinceFailingItWouldUndoTheAction() throws Exception {
        String attach = "AttachNetworkInterface";
        ManualTime time = new ManualTime();
        FakeShardStore store = new FakeShardStore(time::sleep, Duration.ZERO);
        ShardedBudget budget = new ShardedBudget(store, "node-a", new ShardedBudget.Settings(
                Map.of(attach, new BudgetShards.Bucket(10, 5)), 5, Duration.ofMillis(100), Duration.ofSeconds(3),
                Duration.ofSeconds(30), Duration.ofMillis(200)), time);
        java.util.function.DoubleConsumer owe = tokens -> BudgetShards.names(attach, 5).forEach(shard -> store.take(
                store.read(shard), "node-b", time.now(), -tokens).orElseThrow()); // other nodes queue on every shard

        owe.accept(1);
        assertThat(ScopedValue.where(CallBudget.PRIORITY, CallBudget.Priority.TOP_UP).call(() -> budget.acquire(attach)))
                .as("a top-up's attach queues as pods' calls do").isInstanceOf(CallBudget.Grant.Shared.class);
        owe.accept(4); // the queues now reach past the 3 s it may wait
        assertThat(budget.acquire(attach)).isEqualTo(new CallBudget.Grant.Local(
                "no AttachNetworkInterface token within 3000 ms for a call that finishes an action"));
    }

    @Test
    void aDeferredCallIsNotSentNotRetriedAndFailsAsABudgetThrottle() {
        ManualTime time = new ManualTime();
        Ec2Guard guard = new Ec2Guard(Ec2Guard.Settings.defaults(), Ec2CallObserver.NONE, time,
                operation -> new CallBudget.Grant.Deferred("no token to spare"));
        AtomicInteger sent = new AtomicInteger();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> guard.call(CREATE, sent::incrementAndGet))
                .isInstanceOfSatisfying(Ec2Failure.Throttled.class, t -> {
                    assertThat(t.errorCode()).isEqualTo("BudgetDeferred");
                    assertThat(t.getMessage()).contains("no token to spare");
                });
        assertThat(sent.get()).isZero();
        assertThat(guard.breakerState()).isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED);
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
