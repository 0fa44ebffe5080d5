package io.vpccni.ipamd.fleet;

import io.vpccni.eni.fake.Sleeper;
import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.ipamd.datastore.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.Semaphore;

/**
 * Virtual time for a discrete-event simulation of code that blocks: a clock that moves only from one event to the
 * next, events run in time order (ties in the order they were scheduled), and processes, each a thread of which
 * exactly one runs at a time, that hand control back whenever they wait. A process waits through {@link #sleep}
 * (the in-memory EC2's latency, the guard's permits and backoff: all of it virtual) or {@link #idle} (a loop's
 * pause that {@link Process#wake} cuts short). Because only one thread ever runs and the queue orders every
 * hand-over, a run is a function of its inputs: the same seed replays the same run.
 *
 * <p>Callbacks ({@link #at}) run on the driving thread and must not wait; code that waits runs in a process.
 */
public final class VirtualTime implements Sleeper, Ec2Guard.Time {

    private static final ThreadLocal<Process> CURRENT = new ThreadLocal<>();

    private final Instant epoch;
    private final MutableClock clock;
    private long now;
    private long sequence;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final Semaphore driver = new Semaphore(0);
    private final List<Throwable> failures = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    private record Event(long at, long sequence, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            return at != other.at ? Long.compare(at, other.at) : Long.compare(sequence, other.sequence);
        }
    }

    private final Random random;

    /** @param seed the guards' backoff jitter ({@link #random()}) */
    public VirtualTime(Instant epoch, long seed) {
        this.epoch = epoch;
        this.random = new Random(seed);
        this.clock = new MutableClock(epoch);
    }

    /** Runs {@code action} on the driving thread {@code delay} from now. */
    public void at(Duration delay, Runnable action) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("an event is not in the past: " + delay);
        }
        queue.add(new Event(now + delay.toNanos(), sequence++, action));
    }

    /** Starts a process now; it runs until it first waits before {@code spawn}'s caller's next event. */
    public Process spawn(String name, Runnable body) {
        Process process = new Process(name);
        Thread thread = Thread.ofVirtual().name(name).unstarted(() -> {
            process.go.acquireUninterruptibly();
            CURRENT.set(process);
            try {
                body.run();
            } catch (Throwable e) {
                failures.add(new AssertionError("process " + name + " failed at " + instant(), e));
            } finally {
                process.done = true;
                driver.release();
            }
        });
        threads.add(thread);
        thread.start();
        at(Duration.ZERO, () -> resume(process));
        return process;
    }

    /** Runs events until none is left before {@code end}; the clock then reads {@code end}. */
    public void runUntil(Instant end) {
        long until = Duration.between(epoch, end).toNanos();
        while (!queue.isEmpty() && queue.peek().at() <= until) {
            Event event = queue.poll();
            moveTo(event.at());
            event.action().run();
            if (!failures.isEmpty()) {
                AssertionError failed = new AssertionError("the simulation failed", failures.getFirst());
                failures.stream().skip(1).forEach(failed::addSuppressed);
                throw failed;
            }
        }
        moveTo(Math.max(now, until));
    }

    private void moveTo(long nanos) {
        clock.advance(Duration.ofNanos(nanos - now));
        now = nanos;
    }

    /** Ends every process (each is parked at a wait); the simulation cannot run on after this. */
    public void shutdown() {
        queue.clear();
        threads.forEach(Thread::interrupt);
    }

    /** Waits {@code duration} of virtual time; only a process can wait. */
    @Override
    public void sleep(Duration duration) throws InterruptedException {
        Process process = current();
        at(duration, () -> resume(process));
        yieldControl(process);
    }

    /** Waits {@code duration} or until woken, whichever comes first. */
    public void idle(Duration duration) throws InterruptedException {
        Process process = current();
        if (process.wakeRequested) {
            process.wakeRequested = false;
            return;
        }
        long generation = ++process.idleGeneration;
        process.idling = true;
        at(duration, () -> {
            if (process.idling && process.idleGeneration == generation) {
                process.idling = false;
                resume(process);
            }
        });
        yieldControl(process);
    }

    /** Whether the calling thread is a process of some virtual time (Resilience4j's retry sleeps through this). */
    public static boolean inProcess() {
        return CURRENT.get() != null;
    }

    /** The calling process's virtual time; for waits that reach us without a reference to it. */
    public static void sleepInProcess(Duration duration) throws InterruptedException {
        Process process = CURRENT.get();
        if (process == null) {
            throw new IllegalStateException("not a simulated process");
        }
        process.time().sleep(duration);
    }

    private Process current() {
        Process process = CURRENT.get();
        if (process == null || process.time() != this) {
            throw new IllegalStateException("only a process of this virtual time can wait in it, not "
                    + Thread.currentThread());
        }
        return process;
    }

    private void yieldControl(Process process) throws InterruptedException {
        driver.release();
        process.go.acquire();
    }

    private void resume(Process process) {
        if (process.done) {
            return;
        }
        process.go.release();
        driver.acquireUninterruptibly();
    }

    // --- Ec2Guard.Time ----------------------------------------------------------------------------------------

    public Instant instant() {
        return clock.instant();
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public double random() {
        return random.nextDouble();
    }

    /** The virtual clock, which only the event loop moves. */
    @Override
    public Clock clock() {
        return clock;
    }

    /** A thread of the simulation; one runs at a time. */
    public final class Process {
        private final String name;
        private final Semaphore go = new Semaphore(0);
        private volatile boolean done;
        private boolean idling;
        private boolean wakeRequested;
        private long idleGeneration;

        private Process(String name) {
            this.name = name;
        }

        VirtualTime time() {
            return VirtualTime.this;
        }

        public String name() {
            return name;
        }

        /** Ends an {@link #idle} now, or makes the next one return at once; many wakes make one. */
        public void wake() {
            if (idling) {
                idling = false;
                idleGeneration++;
                at(Duration.ZERO, () -> resume(this));
            } else {
                wakeRequested = true;
            }
        }
    }
}
