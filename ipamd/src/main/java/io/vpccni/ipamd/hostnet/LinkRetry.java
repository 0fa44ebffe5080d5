package io.vpccni.ipamd.hostnet;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait for a freshly attached ENI's link to appear: {@code attempts} looks, {@code interval} apart.
 * aws-vpc-cni looks 5 times, 3 s apart; tests inject a sleeper that does not sleep.
 */
public record LinkRetry(int attempts, Duration interval, Sleeper sleeper) {
    public LinkRetry {
        if (attempts < 1) {
            throw new IllegalArgumentException("at least one attempt is needed, got " + attempts);
        }
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(sleeper, "sleeper");
    }

    /** 5 attempts 3 s apart, like aws-vpc-cni (linkByMac). */
    public static LinkRetry standard() {
        return new LinkRetry(5, Duration.ofSeconds(3), Sleeper.THREAD);
    }

    @FunctionalInterface
    public interface Sleeper {
        Sleeper THREAD = d -> Thread.sleep(d);

        void sleep(Duration d) throws InterruptedException;
    }
}
