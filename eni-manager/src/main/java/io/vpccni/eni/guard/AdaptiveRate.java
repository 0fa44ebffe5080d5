package io.vpccni.eni.guard;

import java.time.Duration;

/**
 * One node's share of the account's EC2 budget, learnt from EC2's answers: additive increase while calls succeed,
 * multiplicative decrease on a throttle (AIMD, as TCP shares a link). Pure: the guard feeds it the time and each
 * answer and waits as {@link #reserve} says.
 *
 * <p>EC2's token buckets are the account's, per API; every node spends from them and none sees the others. A node
 * that hears RequestLimitExceeded halves its rate (once per {@link Limits#decreaseHold}: the throttles of calls
 * already in flight are one signal, not several), and earns it back at {@link Limits#increasePerSecond} calls/s per
 * second of calls that pass. Calls are paced ({@code 1 / rate} apart), so a halved rate spreads the node's calls
 * instead of sending them in bursts.
 *
 * @param rate              calls per second allowed now
 * @param lastDecreaseNanos when the rate was last cut; {@code Long.MIN_VALUE} when never
 * @param lastIncreaseNanos when the rate was last raised (or cut), from which the next increase counts
 * @param nextPermitNanos   the earliest time the next call may go
 */
public record AdaptiveRate(double rate, long lastDecreaseNanos, long lastIncreaseNanos, long nextPermitNanos) {

    /**
     * @param min               the floor; below one call a second, so that hundreds of nodes can fit a bucket that
     *                          refills at a few per second
     * @param max               the ceiling: the guard's configured rate
     * @param increasePerSecond calls/s regained per second of calls without a throttle
     * @param decreaseFactor    the rate is multiplied by this on a throttle
     * @param decreaseHold      throttles within this of a cut do not cut again
     */
    public record Limits(double min, double max, double increasePerSecond, double decreaseFactor,
                         Duration decreaseHold) {
        public Limits {
            if (!(min > 0) || max < min || increasePerSecond < 0 || !(decreaseFactor > 0 && decreaseFactor < 1)
                    || decreaseHold.isNegative()) {
                throw new IllegalArgumentException("adaptive rate limits need 0 < min <= max, increase >= 0,"
                        + " 0 < factor < 1 and a hold >= 0; not min " + min + ", max " + max + ", increase "
                        + increasePerSecond + ", factor " + decreaseFactor + ", hold " + decreaseHold);
            }
        }

        /** From {@code max} calls/s down to one call every 10 s, halved on a throttle, +0.5 calls/s a second. */
        public static Limits upTo(double max) {
            return new Limits(Math.min(0.1, max), max, 0.5, 0.5, Duration.ofSeconds(2));
        }
    }

    /** How long the call waits, and the state after it. */
    public record Reservation(long waitNanos, AdaptiveRate next) {}

    /** A node starting at its full rate. */
    public static AdaptiveRate start(Limits limits, long now) {
        return new AdaptiveRate(limits.max(), Long.MIN_VALUE, now, now);
    }

    /** A call wants to go at {@code now}: it waits until its paced slot. */
    public Reservation reserve(long now) {
        long slot = Math.max(now, nextPermitNanos);
        long spacing = (long) (1e9 / rate);
        return new Reservation(slot - now, new AdaptiveRate(rate, lastDecreaseNanos, lastIncreaseNanos, slot + spacing));
    }

    /** EC2 answered a call: the rate grows by the time since the last change, up to the ceiling. */
    public AdaptiveRate afterSuccess(long now, Limits limits) {
        if (now <= lastIncreaseNanos) {
            return this;
        }
        double raised = Math.min(limits.max(), rate + limits.increasePerSecond() * (now - lastIncreaseNanos) / 1e9);
        return new AdaptiveRate(raised, lastDecreaseNanos, now, nextPermitNanos);
    }

    /** EC2 throttled a call: the rate is cut, unless it was cut less than the hold ago. */
    public AdaptiveRate afterThrottle(long now, Limits limits) {
        if (lastDecreaseNanos != Long.MIN_VALUE && now - lastDecreaseNanos < limits.decreaseHold().toNanos()) {
            return this;
        }
        double cut = Math.max(limits.min(), rate * limits.decreaseFactor());
        // The next call waits a full new spacing: the slot already reserved was paced for the old rate.
        long next = Math.max(nextPermitNanos, now + (long) (1e9 / cut));
        return new AdaptiveRate(cut, now, now, next);
    }
}
