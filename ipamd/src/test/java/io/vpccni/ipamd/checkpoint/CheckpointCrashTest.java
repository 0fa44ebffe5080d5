package io.vpccni.ipamd.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments of a writing process: the checkpoint must always parse and hold exactly the
 * state of the last acknowledged write or of the one in flight, never less and never a mix.
 *
 * <p>SIGKILL leaves the page cache alone, so this proves the temp-file-and-rename protocol, not the fsyncs
 * (those matter for power loss, which a test cannot pull).
 */
class CheckpointCrashTest {

    private static final int ROUNDS = 5;
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void killedWriterLeavesTheLastAcknowledgedCheckpointOrTheOneInFlight() throws Exception {
        Path file = dir.resolve("aws-node").resolve("ipam.json");
        long seed = System.nanoTime();
        var random = new Random(seed);
        int durable = 0;

        for (int round = 0; round < ROUNDS; round++) {
            String context = "round " + round + " (seed " + seed + ")";
            Process child = startWriter(file, dir.resolve("child-" + round + ".err"));
            var acknowledged = new AtomicInteger(-1);
            var started = new AtomicInteger(-1);
            Thread reader = Thread.ofPlatform().daemon().start(() -> follow(child, started, acknowledged));

            int target = durable + 1 + random.nextInt(80);
            Poll.until(() -> acknowledged.get() >= target || !child.isAlive(), PATIENCE,
                    "the writer to acknowledge write " + target + " in " + context);
            LockSupport.parkNanos(random.nextInt(3_000_000)); // jitter: land anywhere in the next write
            child.destroyForcibly(); // SIGKILL on Linux
            assertThat(child.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            reader.join(PATIENCE);

            assertThat(child.exitValue()).as("killed, not crashed, in %s; stderr: %s", context,
                    Files.readString(dir.resolve("child-" + round + ".err"))).isEqualTo(137);
            assertThat(started.get()).as("the restarted writer found the previous round's checkpoint")
                    .isEqualTo(durable);
            int acked = acknowledged.get();
            Checkpoint found = new JsonFileCheckpointStore(file).read().orElseThrow();
            int n = found.allocations().size();
            assertThat(n).as("pods in the file after the kill in %s", context).isBetween(acked, acked + 1);
            assertThat(found).as("exactly what write %d wrote", n).isEqualTo(Samples.withPods(n));
            durable = n;
        }

        try (var files = Files.list(file.getParent())) {
            assertThat(files).as("temporary files were swept").containsExactly(file);
        }
    }

    private static Process startWriter(Path file, Path stderr) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", testClassPath(), CrashingWriterMain.class.getName(), file.toString()))
                .redirectError(stderr.toFile())
                .start();
    }

    /** Surefire may launch tests through a manifest-only jar; it then keeps the real class path here. */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** Records "start n" and each "written n" the child prints, until it dies. */
    private static void follow(Process child, AtomicInteger started, AtomicInteger acknowledged) {
        try (var lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("start ")) {
                    int n = Integer.parseInt(line.substring("start ".length()));
                    started.set(n);
                    acknowledged.set(n);
                } else if (line.startsWith("written ")) {
                    acknowledged.set(Integer.parseInt(line.substring("written ".length())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
