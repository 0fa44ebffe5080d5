package io.vpccni.eni.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.core.IntervalFunction;
import io.vpccni.eni.error.Ec2Failure;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The guard on a time it is given: its rate limit waits through that time, its backoff jitter comes from it. */
class Ec2GuardTimeTest {

    @Test
    void callsOverTheRateWaitForAPermitThroughTheGivenTimeNotTheWallClock() {
        ManualTime time = new ManualTime();
        Ec2Guard.Settings settings = new Ec2Guard.Settings(2, Duration.ofSeconds(30), 1, Duration.ofMillis(1),
                Duration.ofMillis(1), 20, 80f, Duration.ofSeconds(30));
        Ec2Guard guard = new Ec2Guard(settings, Ec2CallObserver.NONE, time);
        long wallStart = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            assertThat(guard.call("DescribeSubnets", () -> "ok")).isEqualTo("ok");
        }
        // Two permits per second: the 3rd to 6th calls each waited, 2 s of the given time in all.
        assertThat(time.slept).isNotEmpty();
        assertThat(Duration.ofNanos(time.nanos)).isBetween(Duration.ofMillis(1_900), Duration.ofMillis(2_100));
        assertThat(Duration.ofNanos(System.nanoTime() - wallStart)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void theBackoffIsExponentialCappedAndItsJitterComesFromTheGivenTime() {
        ManualTime time = new ManualTime();
        IntervalFunction backoff = Ec2Guard.jitteredBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), time);
        time.nextRandom = 0.5; // the middle of the +-50 % band
        assertThat(backoff.apply(1)).isEqualTo(200);
        assertThat(backoff.apply(2)).isEqualTo(400);
        assertThat(backoff.apply(3)).isEqualTo(800);
        time.nextRandom = 0.0;
        assertThat(backoff.apply(3)).isEqualTo(400);
        time.nextRandom = 0.999;
        assertThat(backoff.apply(3)).isBetween(1_190L, 1_200L);
        assertThat(backoff.apply(20)).isEqualTo(10_000); // capped
    }

    @Test
    void withAnAdaptiveRateAThrottleFromEc2SpreadsTheNodesNextCalls() {
        ManualTime time = new ManualTime();
        Ec2Guard.Settings settings = new Ec2Guard.Settings(10, Duration.ofSeconds(30), 1, Duration.ofMillis(1),
                Duration.ofMillis(1), 20, 80f, Duration.ofSeconds(30)).withAdaptiveRate();
        Ec2Guard guard = new Ec2Guard(settings, Ec2CallObserver.NONE, time);
        assertThat(guard.adaptiveRate()).hasValue(10.0);

        assertThatThrownBy(() -> guard.call("CreateNetworkInterface", () -> {
            throw new Ec2Failure.Throttled("CreateNetworkInterface", "RequestLimitExceeded", "slow down", null);
        })).isInstanceOf(Ec2Failure.Throttled.class);
        assertThat(guard.adaptiveRate()).hasValue(5.0);
        long before = time.nanos;
        for (int i = 0; i < 5; i++) {
            guard.call("DescribeSubnets", () -> "ok");
        }
        // 5 calls/s: each waits 200 ms for its slot (the first for the slot the cut set), 1 s of the given time.
        assertThat(Duration.ofNanos(time.nanos - before)).isBetween(Duration.ofMillis(950), Duration.ofMillis(1_050));
        assertThat(guard.adaptiveRate().orElseThrow()).as("calls that passed earn the rate back").isGreaterThan(5.0);
    }
}
