package io.vpccni.ipamd.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures write latency on a real disk; a benchmark, not a test (docs/plugin-startup.md, "Targets"). Run it by hand:
 * {@code java -cp <test class path> io.vpccni.ipamd.checkpoint.CheckpointWriteBenchmark /var/run/vpc-cni-bench}
 */
final class CheckpointWriteBenchmark {

    private CheckpointWriteBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "/tmp/vpc-cni-bench"));
        var store = new JsonFileCheckpointStore(dir.resolve("ipam.json"));
        for (int pods : new int[] {30, 250}) {
            Checkpoint checkpoint = Samples.withPods(pods);
            System.out.printf("%s, %d pods (%d bytes): encode only %s%n", dir, pods,
                    CheckpointJson.encode(checkpoint).length, percentiles(timeEncode(checkpoint, 20_000)));
            timeWrites(store, checkpoint, 200); // warm-up
            System.out.printf("  sequential write x1000: %s%n", percentiles(timeWrites(store, checkpoint, 1000)));
            System.out.printf("  50 concurrent persists x1000 via CheckpointWriter: %s%n",
                    percentiles(timeConcurrentPersists(store, checkpoint, 50, 1000)));
        }
    }

    private static long[] timeEncode(Checkpoint checkpoint, int count) {
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            CheckpointJson.encode(checkpoint);
            nanos[i] = System.nanoTime() - start;
        }
        return nanos;
    }

    private static long[] timeWrites(CheckpointStore store, Checkpoint checkpoint, int count) {
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            store.write(checkpoint);
            nanos[i] = System.nanoTime() - start;
        }
        return nanos;
    }

    /** Each of {@code callers} threads persists in a loop, as concurrent adds would; per-call latency. */
    private static long[] timeConcurrentPersists(CheckpointStore store, Checkpoint checkpoint, int callers, int total)
            throws InterruptedException {
        var writes = new AtomicInteger();
        var writer = new CheckpointWriter(new CheckpointStore() {
            @Override
            public void write(Checkpoint c) {
                store.write(c);
                writes.incrementAndGet();
            }

            @Override
            public Optional<Checkpoint> read() {
                return store.read();
            }
        });
        long[] nanos = new long[total];
        var next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i; (i = next.getAndIncrement()) < total; ) {
                    long start = System.nanoTime();
                    writer.persist(() -> checkpoint);
                    nanos[i] = System.nanoTime() - start;
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.printf("  (%d persists shared %d writes)%n", total, writes.get());
        return nanos;
    }

    private static String percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return "median %.3f ms, p99 %.3f ms, max %.3f ms".formatted(
                sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }
}
