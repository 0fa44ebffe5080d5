package io.vpccni.eni.guard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Time that moves only by the waits of the code under test (the guard, the budget); the random value is set. */
final class ManualTime implements Ec2Guard.Time {
    long nanos;
    double nextRandom = 0.5;
    final List<Duration> slept = new ArrayList<>();

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public Clock clock() {
        return Clock.fixed(Instant.EPOCH.plusNanos(nanos), ZoneOffset.UTC);
    }

    @Override
    public void sleep(Duration duration) {
        slept.add(duration);
        nanos += duration.toNanos();
    }

    @Override
    public double random() {
        return nextRandom;
    }

    Instant now() {
        return Instant.EPOCH.plusNanos(nanos);
    }
}
