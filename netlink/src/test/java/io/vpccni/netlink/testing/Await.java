package io.vpccni.netlink.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The bounded wait tests use for what happens on another thread or process (an event posted, a pool grown): the
 * caller asserts on the outcome afterwards, so a failure says what was wrong, not only that time ran out.
 */
public final class Await {
    private Await() {}

    /** Checks {@code condition} every {@code every} until it holds or {@code limit} has passed; whether it held. */
    public static boolean until(BooleanSupplier condition, Duration limit, Duration every) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(every);
        }
        return true;
    }
}
