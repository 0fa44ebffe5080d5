package io.vpccni.eni.guard;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.vpccni.eni.error.Ec2Failure;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The one path every EC2 call takes: a client-side rate limit (optionally adapted to EC2's throttles, see
 * {@link AdaptiveRate}), retries with jittered exponential backoff for throttling and transient failures only, and a
 * circuit breaker that stops hammering an EC2 that keeps failing; with a {@link CallBudget}, each request also waits
 * for the cluster's share of the account's budget (or goes on the rate limit alone when the budget has none to give).
 * Whatever escapes is an {@link Ec2Failure}: the request throws one (the SDK adapter classifies EC2's errors), and
 * anything else it throws becomes {@link Ec2Failure.Other}.
 */
public final class Ec2Guard {

    /**
     * @param callsPerSecond sustained request rate; EC2's own token buckets refill at a few per second per API
     * @param maxAttempts attempts per call, the first included
     */
    public record Settings(
            int callsPerSecond, Duration permitWait, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
            int breakerWindow, float breakerFailureRatePercent, Duration breakerOpenFor,
            Optional<AdaptiveRate.Limits> adaptiveRate) {

        /** Without an adaptive rate. */
        public Settings(int callsPerSecond, Duration permitWait, int maxAttempts, Duration initialBackoff,
                        Duration maxBackoff, int breakerWindow, float breakerFailureRatePercent,
                        Duration breakerOpenFor) {
            this(callsPerSecond, permitWait, maxAttempts, initialBackoff, maxBackoff, breakerWindow,
                    breakerFailureRatePercent, breakerOpenFor, Optional.empty());
        }

        public static Settings defaults() {
            return new Settings(10, Duration.ofSeconds(30), 6, Duration.ofMillis(200), Duration.ofSeconds(10),
                    20, 80f, Duration.ofSeconds(30));
        }

        /** Same policy with short waits, for tests that inject failures. */
        public Settings withBackoff(Duration initial, Duration max) {
            return new Settings(callsPerSecond, permitWait, maxAttempts, initial, max, breakerWindow,
                    breakerFailureRatePercent, breakerOpenFor, adaptiveRate);
        }

        /**
         * The same with the rate adapted to EC2's throttles ({@link AdaptiveRate}): from callsPerSecond down to
         * {@link AdaptiveRate.Limits#upTo}'s floor.
         */
        public Settings withAdaptiveRate() {
            return new Settings(callsPerSecond, permitWait, maxAttempts, initialBackoff, maxBackoff, breakerWindow,
                    breakerFailureRatePercent, breakerOpenFor, Optional.of(AdaptiveRate.Limits.upTo(callsPerSecond)));
        }
    }

    /**
     * The guard's sense of time: what its rate limiter and circuit breaker measure and how it waits for a permit.
     * {@link #SYSTEM} in the daemon; a fleet simulation passes virtual time, so that hundreds of nodes' limiters
     * run on one simulated clock. (Resilience4j's retry waits through its own process-wide sleep function.)
     */
    public interface Time {
        long nanoTime();

        Clock clock();

        void sleep(Duration duration) throws InterruptedException;

        /** Uniform in [0, 1): the backoff's jitter, so that a seeded simulation replays its retries too. */
        double random();

        Time SYSTEM = new Time() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public Clock clock() {
                return Clock.systemUTC();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                Thread.sleep(duration);
            }

            @Override
            public double random() {
                return ThreadLocalRandom.current().nextDouble();
            }
        };
    }

    private final RateLimiter rateLimiter;
    private final long settingsPermitWaitNanos;
    private final Time time;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final Ec2CallObserver observer;
    private final CallBudget budget;
    /**
     * What last counted against the circuit breaker: an open circuit reports the same kind of
     * trouble, and names EC2's own code (RequestLimitExceeded, 503...) so the reason a pod add
     * shows says what EC2 said, not only that we stopped asking.
     */
    private volatile Ec2Failure lastBreakerFailure;
    private final Optional<AdaptiveRate.Limits> adaptiveLimits;
    /** The rate learnt from EC2's answers; guarded by {@code this}. Unused without adaptive limits. */
    private AdaptiveRate adaptive;

    public Ec2Guard(Settings settings, Ec2CallObserver observer) {
        this(settings, observer, Time.SYSTEM);
    }

    public Ec2Guard(Settings settings, Ec2CallObserver observer, Time time) {
        this(settings, observer, time, CallBudget.LOCAL);
    }

    /** @param budget consulted before every request, retries included; {@link CallBudget#LOCAL} for none */
    public Ec2Guard(Settings settings, Ec2CallObserver observer, Time time, CallBudget budget) {
        this.observer = observer;
        this.budget = budget;
        this.time = time;
        this.adaptiveLimits = settings.adaptiveRate();
        this.settingsPermitWaitNanos = settings.permitWait().toNanos();
        this.adaptive = adaptiveLimits.map(limits -> AdaptiveRate.start(limits, time.nanoTime())).orElse(null);
        this.rateLimiter = new AtomicRateLimiter("ec2", RateLimiterConfig.custom()
                .limitForPeriod(settings.callsPerSecond())
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(settings.permitWait())
                .build(), time::nanoTime);
        this.retry = Retry.of("ec2", RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .intervalFunction(jitteredBackoff(settings.initialBackoff(), settings.maxBackoff(), time))
                .retryOnException(e -> e instanceof Ec2Failure failure && failure.retryable())
                .build());
        this.breaker = CircuitBreaker.of("ec2", CircuitBreakerConfig.custom()
                .slidingWindowSize(settings.breakerWindow())
                .minimumNumberOfCalls(settings.breakerWindow())
                .failureRateThreshold(settings.breakerFailureRatePercent())
                .waitDurationInOpenState(settings.breakerOpenFor())
                // Only an unhealthy EC2 opens the circuit; NotFound or a missing permission say nothing about its health.
                .recordException(e -> e instanceof Ec2Failure.Unavailable || e instanceof Ec2Failure.Throttled)
                .clock(time.clock())
                .build());
    }

    /**
     * Resilience4j's exponential random backoff (multiplier 2, randomization factor 0.5, capped), with the jitter
     * drawn from {@link Time#random()} instead of {@code Math.random()}.
     */
    static IntervalFunction jitteredBackoff(Duration initial, Duration max, Time time) {
        return attempt -> {
            double exponential = initial.toMillis() * Math.pow(2.0, attempt - 1);
            double capped = Math.min(exponential, max.toMillis());
            double delta = 0.5 * capped;
            return Math.min((long) (capped - delta + time.random() * (2 * delta + 1)), max.toMillis());
        };
    }

    public <T> T call(String operation, Supplier<T> request) {
        Supplier<T> attempt = () -> {
            awaitPermit(operation);
            return attempt(operation, request);
        };
        Supplier<T> guarded = Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker, attempt));
        try {
            return guarded.get();
        } catch (CallNotPermittedException e) {
            Ec2Failure last = lastBreakerFailure;
            String lastCode = last == null || last.errorCode().isEmpty() ? "" : " (last: " + last.errorCode() + ")";
            if (last instanceof Ec2Failure.Throttled) {
                throw new Ec2Failure.Throttled(operation, "CircuitOpen",
                        "EC2 kept throttling our calls" + lastCode + "; calls paused for a while", e);
            }
            throw new Ec2Failure.Unavailable(operation, "CircuitOpen",
                    "EC2 failed repeatedly" + lastCode + "; calls paused for a while", e);
        } catch (RequestNotPermitted e) {
            throw new Ec2Failure.Throttled(operation, "ClientRateLimit",
                    "no request permit within the client-side rate limit's wait", e);
        } catch (BudgetDeferred e) {
            // Not retried and not counted against the circuit (it is not an Ec2Failure): EC2 was not asked.
            throw new Ec2Failure.Throttled(operation, "BudgetDeferred", e.getMessage(), e);
        }
    }

    /**
     * The budget deferred the call ({@link CallBudget.Grant.Deferred}: a top-up with no token to spare, or a call whose
     * turn is beyond the budget's longest wait): the request was not sent.
     */
    private static final class BudgetDeferred extends RuntimeException {
        BudgetDeferred(String reason) {
            super(reason, null, false, false);
        }
    }

    public void run(String operation, Runnable request) {
        call(operation, () -> {
            request.run();
            return null;
        });
    }

    public CircuitBreaker.State breakerState() {
        return breaker.getState();
    }

    /**
     * What {@code RateLimiter.decorateSupplier} does, with the wait through {@link Time}: the permit is reserved,
     * then waited for; none within the permit wait is a {@link RequestNotPermitted}. Then the budget's grant.
     */
    private void awaitPermit(String operation) {
        long nanos = rateLimiter.reservePermission();
        if (nanos < 0) {
            throw RequestNotPermitted.createRequestNotPermitted(rateLimiter);
        }
        if (adaptiveLimits.isPresent()) {
            synchronized (this) {
                AdaptiveRate.Reservation slot = adaptive.reserve(time.nanoTime() + nanos);
                if (nanos + slot.waitNanos() > settingsPermitWaitNanos) {
                    // Refused without taking the slot: the calls after it are not pushed back for nothing.
                    throw RequestNotPermitted.createRequestNotPermitted(rateLimiter);
                }
                adaptive = slot.next();
                nanos += slot.waitNanos();
            }
        }
        try {
            if (nanos > 0) {
                time.sleep(Duration.ofNanos(nanos));
            }
            if (budget.acquire(operation) instanceof CallBudget.Grant.Deferred deferred) {
                throw new BudgetDeferred(deferred.reason());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RequestNotPermitted.createRequestNotPermitted(rateLimiter);
        }
    }

    /** EC2 answered: a throttle cuts the adaptive rate, anything else lets it grow. */
    private void adapt(boolean throttled) {
        if (adaptiveLimits.isEmpty()) {
            return;
        }
        synchronized (this) {
            long now = time.nanoTime();
            adaptive = throttled ? adaptive.afterThrottle(now, adaptiveLimits.get())
                    : adaptive.afterSuccess(now, adaptiveLimits.get());
        }
    }

    /** The adaptive rate now, in calls per second; empty without one. */
    public synchronized Optional<Double> adaptiveRate() {
        return adaptiveLimits.map(l -> adaptive.rate());
    }

    private <T> T attempt(String operation, Supplier<T> request) {
        long start = time.nanoTime();
        try {
            T result = request.get();
            adapt(false);
            observer.called(operation, Duration.ofNanos(time.nanoTime() - start), Optional.empty());
            return result;
        } catch (RuntimeException e) {
            // The caller classifies what it knows (eni.aws: the SDK's exceptions); anything else is a failure of ours.
            Ec2Failure failure = e instanceof Ec2Failure classified
                    ? classified : new Ec2Failure.Other(operation, "", String.valueOf(e), e);
            if (failure instanceof Ec2Failure.Throttled || failure instanceof Ec2Failure.Unavailable) {
                lastBreakerFailure = failure;
            }
            adapt(failure instanceof Ec2Failure.Throttled);
            observer.called(operation, Duration.ofNanos(time.nanoTime() - start), Optional.of(failure));
            throw failure;
        }
    }
}
