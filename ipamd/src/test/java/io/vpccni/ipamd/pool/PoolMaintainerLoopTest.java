package io.vpccni.ipamd.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.warmpool.NodeCondition;
import io.vpccni.ipamd.warmpool.NodeLimits;
import io.vpccni.ipamd.warmpool.PoolTargets;
import io.vpccni.ipamd.warmpool.PoolTimings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The maintenance loop outlives whatever a tick throws, Errors included, and reports each failure. */
class PoolMaintainerLoopTest {

    @Test
    void errorsAndExceptionsInATickAreReportedAndTheLoopGoesOn() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicInteger ticks = new AtomicInteger();
        PoolEvents events = new PoolEvents() {
            @Override
            public void maintenanceFailed(Throwable error) {
                failures.add(error);
            }
        };
        // The node's conditions are read on every tick: the first throws an Error, the second an exception.
        java.util.function.Supplier<Set<NodeCondition>> conditions = () -> {
            if (ticks.incrementAndGet() == 1) {
                throw new StackOverflowError("a stand-in for any Error");
            }
            throw new IllegalStateException("a stand-in for any exception, tick " + ticks.get());
        };
        PoolMaintainer maintainer = new PoolMaintainer(new Datastore(Clock.systemUTC(), Duration.ofSeconds(30)), null,
                new NodeEnis(), new PoolTargets(false, 1, 0, 0, 0, 0, false, false, PoolTimings.DEFAULTS),
                new NodeLimits(3, 10, 0, 0, 110), null, null, conditions, Clock.systemUTC(), events);

        Thread loop = Thread.ofPlatform().start(() -> maintainer.runLoop(Duration.ofMillis(10)));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ticks.get() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(loop.isAlive()).isTrue();
        loop.interrupt();
        loop.join(5_000);

        assertThat(failures).hasSizeGreaterThanOrEqualTo(2);
        assertThat(failures.get(0)).isInstanceOf(StackOverflowError.class);
        assertThat(failures.get(1)).isInstanceOf(IllegalStateException.class);
        assertThat(loop.isAlive()).isFalse();
    }
}
