package io.vpccni.ipamd.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The discrete-event loop: time order, processes taking turns, idle cut short by a wake, no wall-clock waits. */
class VirtualTimeTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static void nap(VirtualTime time, long millis) {
        try {
            time.sleep(Duration.ofMillis(millis));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void processesInterleaveInVirtualTimeOrderWithoutWaitingOnTheWallClock() {
        VirtualTime time = new VirtualTime(T0, 1);
        List<String> trace = new ArrayList<>();
        time.spawn("a", () -> {
            for (int i = 0; i < 3; i++) {
                trace.add("a@" + Duration.between(T0, time.instant()).toMillis());
                nap(time, 1_000);
            }
        });
        time.spawn("b", () -> {
            nap(time, 500);
            for (int i = 0; i < 3; i++) {
                trace.add("b@" + Duration.between(T0, time.instant()).toMillis());
                nap(time, 1_000);
            }
        });
        time.at(Duration.ofMillis(1_200), () -> trace.add("event@1200"));
        long wall = System.nanoTime();
        time.runUntil(T0.plusSeconds(60));
        time.shutdown();
        assertThat(trace).containsExactly("a@0", "b@500", "a@1000", "event@1200", "b@1500", "a@2000", "b@2500");
        assertThat(time.instant()).isEqualTo(T0.plusSeconds(60));
        assertThat(Duration.ofNanos(System.nanoTime() - wall)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aWakeCutsAnIdleShortAndAWakeBeforeTheIdleMakesItReturnAtOnce() {
        VirtualTime time = new VirtualTime(T0, 1);
        List<Long> woke = new ArrayList<>();
        VirtualTime.Process loop = time.spawn("loop", () -> {
            for (int i = 0; i < 3; i++) {
                try {
                    time.idle(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    return;
                }
                woke.add(Duration.between(T0, time.instant()).toMillis());
            }
        });
        time.at(Duration.ofMillis(1_000), loop::wake); // cuts the first idle short
        time.runUntil(T0.plusSeconds(2));
        loop.wake(); // before the second idle ends: ends it at 2 s
        time.runUntil(T0.plusSeconds(30));
        time.shutdown();
        assertThat(woke).containsExactly(1_000L, 2_000L, 7_000L);
    }

    @Test
    void onlyAProcessCanWaitAndAFailingProcessFailsTheRun() {
        VirtualTime time = new VirtualTime(T0, 1);
        assertThatThrownBy(() -> time.sleep(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only a process");
        time.spawn("broken", () -> {
            throw new IllegalStateException("boom");
        });
        assertThatThrownBy(() -> time.runUntil(T0.plusSeconds(1))).isInstanceOf(AssertionError.class)
                .hasRootCauseMessage("boom");
        time.shutdown();
    }
}
