package io.vpccni.ipamd.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.vpccni.ipamd.checkpoint.CheckpointException.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointWriterTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    /** Counts writes and the largest pod count made durable; what attempt n does first may be scripted. */
    private static final class CountingStore implements CheckpointStore {
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger writes = new AtomicInteger();
        final AtomicLong durablePods = new AtomicLong();
        private final CheckpointStore delegate;
        private final IntFunction<Runnable> beforeWrite;

        CountingStore(CheckpointStore delegate, IntFunction<Runnable> beforeWrite) {
            this.delegate = delegate;
            this.beforeWrite = beforeWrite;
        }

        @Override
        public void write(Checkpoint checkpoint) {
            beforeWrite.apply(attempts.incrementAndGet()).run();
            delegate.write(checkpoint);
            writes.incrementAndGet();
            durablePods.accumulateAndGet(checkpoint.allocations().size(), Math::max);
        }

        @Override
        public Optional<Checkpoint> read() {
            return delegate.read();
        }
    }

    private static final CheckpointStore DISCARD = new CheckpointStore() {
        @Override
        public void write(Checkpoint checkpoint) {}

        @Override
        public Optional<Checkpoint> read() {
            return Optional.empty();
        }
    };

    @Test
    void everyCallerReturnsOnlyAfterAWriteThatIncludesItsChange() throws Exception {
        var store = new CountingStore(new JsonFileCheckpointStore(dir.resolve("ipam.json")), n -> () -> {});
        var writer = new CheckpointWriter(store);
        var pods = new AtomicInteger(); // the "datastore": its state is how many pods it holds
        Queue<String> violations = new ConcurrentLinkedQueue<>();
        int threads = 50;
        int addsPerThread = 10;

        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            callers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < addsPerThread; i++) {
                    int mine = pods.incrementAndGet();
                    writer.persist(() -> Samples.withPods(pods.get()));
                    if (store.durablePods.get() < mine) {
                        violations.add("returned after pod " + mine + " with only " + store.durablePods + " durable");
                    }
                }
            }));
        }
        for (Thread caller : callers) {
            assertThat(caller.join(PATIENCE)).isTrue();
        }

        assertThat(violations).isEmpty();
        assertThat(store.read()).hasValueSatisfying(c -> assertThat(c.allocations()).hasSize(threads * addsPerThread));
        assertThat(store.writes.get()).as("writes shared by %d adds", threads * addsPerThread)
                .isLessThan(threads * addsPerThread);
    }

    @Test
    void callersArrivingDuringAWriteShareTheNextOne() throws Exception {
        var firstWriteStarted = new CountDownLatch(1);
        var releaseFirstWrite = new CountDownLatch(1);
        var store = new CountingStore(DISCARD, n -> n == 1 ? () -> {
            firstWriteStarted.countDown();
            awaitUninterruptibly(releaseFirstWrite);
        } : () -> {});
        var writer = new CheckpointWriter(store);
        var snapshotsTaken = new AtomicInteger();

        Thread first = Thread.ofVirtual().start(() -> writer.persist(() -> counted(snapshotsTaken)));
        assertThat(firstWriteStarted.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        List<Thread> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(Thread.ofVirtual().start(() -> writer.persist(() -> counted(snapshotsTaken))));
        }
        Poll.until(() -> writer.queuedCallers() == 10, PATIENCE, "10 callers queued behind the first write");
        releaseFirstWrite.countDown();
        for (Thread t : queued) {
            assertThat(t.join(PATIENCE)).isTrue();
        }
        assertThat(first.join(PATIENCE)).isTrue();

        assertThat(store.writes.get()).isEqualTo(2);
        assertThat(snapshotsTaken.get()).isEqualTo(2);
    }

    @Test
    void failedWriteIsThrownToEveryCallerThatSharedIt() throws Exception {
        var firstWriteStarted = new CountDownLatch(1);
        var releaseFirstWrite = new CountDownLatch(1);
        var diskFull = new CheckpointException(Reason.WRITE_FAILED, Path.of("/var/run/aws-node/ipam.json"),
                "No space left on device");
        var store = new CountingStore(DISCARD, n -> switch (n) {
            case 1 -> () -> {
                firstWriteStarted.countDown();
                awaitUninterruptibly(releaseFirstWrite);
            };
            case 2 -> () -> { throw diskFull; };
            default -> () -> {};
        });
        var writer = new CheckpointWriter(store);
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();

        Thread first = Thread.ofVirtual().start(() -> writer.persist(() -> Samples.withPods(1)));
        assertThat(firstWriteStarted.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        List<Thread> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(Thread.ofVirtual().start(() -> {
                try {
                    writer.persist(() -> Samples.withPods(2));
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        Poll.until(() -> writer.queuedCallers() == 10, PATIENCE, "10 callers queued behind the first write");
        releaseFirstWrite.countDown();
        for (Thread t : queued) {
            assertThat(t.join(PATIENCE)).isTrue();
        }
        assertThat(first.join(PATIENCE)).isTrue();

        assertThat(failures).hasSize(10).allSatisfy(f -> assertThat(f)
                .asInstanceOf(type(CheckpointException.class))
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Reason.WRITE_FAILED);
                    assertThat(e.getMessage()).contains("/var/run/aws-node/ipam.json", "No space left on device");
                    assertThat(e.getCause()).isSameAs(diskFull);
                }));
        assertThat(store.durablePods.get()).as("only the first caller's write succeeded").isEqualTo(1);

        writer.persist(() -> Samples.withPods(3)); // a failure does not wedge the writer
        assertThat(store.durablePods.get()).isEqualTo(3);
    }

    @Test
    void snapshotThatCannotBeTakenFailsThePersistWithoutWriting() {
        var store = new CountingStore(DISCARD, n -> () -> {});
        var writer = new CheckpointWriter(store);

        assertThatThrownBy(() -> writer.persist(() -> { throw new IllegalStateException("datastore closed"); }))
                .asInstanceOf(type(CheckpointException.class))
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Reason.WRITE_FAILED);
                    assertThat(e.getMessage()).contains("datastore closed");
                    assertThat(e.path()).isEmpty();
                });
        assertThat(store.writes.get()).isZero();
    }

    @Test
    void uncontendedCallsEachWriteOnce() {
        var store = new CountingStore(DISCARD, n -> () -> {});
        var writer = new CheckpointWriter(store);
        var snapshotsTaken = new AtomicInteger();

        for (int i = 0; i < 3; i++) {
            writer.persist(() -> counted(snapshotsTaken));
        }

        assertThat(store.writes.get()).isEqualTo(3);
        assertThat(snapshotsTaken.get()).isEqualTo(3);
    }

    @Test
    void pendingInterruptDoesNotFailTheSharedWriteAndIsKept() {
        var store = new JsonFileCheckpointStore(dir.resolve("ipam.json"));
        var writer = new CheckpointWriter(store);

        Thread.currentThread().interrupt(); // would close the FileChannel mid-write
        try {
            writer.persist(() -> Samples.withPods(2));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(store.read()).contains(Samples.withPods(2));
    }

    private static Checkpoint counted(AtomicInteger snapshots) {
        snapshots.incrementAndGet();
        return Checkpoint.empty();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            if (!latch.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("latch never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
