package io.vpccni.eni.fake;

import java.time.Duration;

/** How the in-memory EC2 waits out a configured delay; tests pass one that records instead of waiting. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration delay) throws InterruptedException;

    Sleeper REAL = Thread::sleep;
}
