package io.vpccni.eni.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The AIMD decision alone, on nanosecond times: no EC2, no clock, no waiting. */
class AdaptiveRateTest {

    static final long SECOND = 1_000_000_000L;
    static final AdaptiveRate.Limits LIMITS = AdaptiveRate.Limits.upTo(10);

    @Test
    void aThrottleHalvesTheRateAndThrottlesWithinTheHoldDoNotCutAgain() {
        AdaptiveRate rate = AdaptiveRate.start(LIMITS, 0);

        AdaptiveRate once = rate.afterThrottle(SECOND, LIMITS);
        assertThat(once.rate()).isEqualTo(5.0);
        assertThat(once.afterThrottle(SECOND + SECOND / 2, LIMITS).rate()).as("calls already in flight: one signal")
                .isEqualTo(5.0);
        assertThat(once.afterThrottle(3 * SECOND + 1, LIMITS).rate()).as("after the 2 s hold").isEqualTo(2.5);
    }

    @Test
    void theRateFallsToItsFloorAndNoFurther() {
        AdaptiveRate rate = AdaptiveRate.start(LIMITS, 0);
        for (int i = 1; i <= 20; i++) {
            rate = rate.afterThrottle(i * 3 * SECOND, LIMITS);
        }
        assertThat(rate.rate()).as("one call every 10 s").isEqualTo(0.1);
    }

    @Test
    void callsThatPassRaiseTheRateByHalfACallASecondEachSecondUpToTheCeiling() {
        AdaptiveRate cut = AdaptiveRate.start(LIMITS, 0).afterThrottle(0, LIMITS); // 5 calls/s

        assertThat(cut.afterSuccess(2 * SECOND, LIMITS).rate()).isEqualTo(6.0);
        assertThat(cut.afterSuccess(2 * SECOND, LIMITS).afterSuccess(4 * SECOND, LIMITS).rate()).isEqualTo(7.0);
        assertThat(cut.afterSuccess(60 * SECOND, LIMITS).rate()).as("the configured rate caps it").isEqualTo(10.0);
        assertThat(cut.afterSuccess(0, LIMITS)).as("no time passed, nothing earned").isEqualTo(cut);
    }

    @Test
    void callsArePacedOneOverTheRateApart() {
        AdaptiveRate rate = AdaptiveRate.start(LIMITS, 0).afterThrottle(0, LIMITS).afterThrottle(3 * SECOND, LIMITS);
        assertThat(rate.rate()).isEqualTo(2.5); // 400 ms apart; the cut at 3 s put the next slot at 3.4 s

        AdaptiveRate.Reservation first = rate.reserve(3 * SECOND);
        AdaptiveRate.Reservation second = first.next().reserve(3 * SECOND);
        AdaptiveRate.Reservation late = second.next().reserve(10 * SECOND);

        assertThat(first.waitNanos()).isEqualTo(400_000_000L);
        assertThat(second.waitNanos()).isEqualTo(800_000_000L);
        assertThat(late.waitNanos()).as("an idle node's next call goes at once").isZero();
    }

    @Test
    void limitsThatCannotWorkAreRefusedWithWhatWasWrong() {
        assertThatThrownBy(() -> new AdaptiveRate.Limits(0, 10, 0.5, 0.5, Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min 0.0");
        assertThatThrownBy(() -> new AdaptiveRate.Limits(1, 10, 0.5, 1.0, Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("factor 1.0");
    }
}
