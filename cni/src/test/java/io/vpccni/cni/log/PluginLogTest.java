package io.vpccni.cni.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The plugin's log file: created with its directory, bounded by rotation, one line per event. */
class PluginLogTest {
    @Test
    void createsTheDirectoryAndWritesLinesAtOrAboveTheThreshold(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a/b/plugin.log");
        try (PluginLog log = PluginLog.toFile(file, PluginLog.Level.INFO)) {
            log.debug("not written");
            log.info("container c1: ipamd assigned ip 10.0.0.5");
            log.error("something failed");
        }

        assertThat(Files.readAllLines(file)).hasSize(2).allSatisfy(line ->
                assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (INFO|ERROR) \\[\\d+\\] .+"));
        assertThat(Files.readString(file)).contains("ipamd assigned ip 10.0.0.5").doesNotContain("not written");
    }

    @Test
    void aFileOverTheBoundIsRotatedBeforeAppending(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("plugin.log");
        try (RandomAccessFile big = new RandomAccessFile(file.toFile(), "rw")) {
            big.setLength(PluginLog.MAX_BYTES);
        }
        Files.writeString(dir.resolve("plugin.log.1"), "older generation\n");

        try (PluginLog log = PluginLog.toFile(file, PluginLog.Level.INFO)) {
            log.info("first line after rotation");
        }

        assertThat(Files.size(dir.resolve("plugin.log.1"))).isEqualTo(PluginLog.MAX_BYTES);
        assertThat(Files.readAllLines(file)).singleElement().asString().endsWith("first line after rotation");
    }

    @Test
    void aLogThatCannotBeOpenedIsDroppedQuietly(@TempDir Path dir) throws IOException {
        Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        try (PluginLog log = PluginLog.toFile(blocker.resolve("plugin.log"), PluginLog.Level.INFO)) {
            log.info("goes nowhere");
            log.error("nor this");
        }
        assertThat(Files.readString(blocker)).isEqualTo("x");
    }

    @Test
    void levelWordsAreReadAsAwsVpcCniWritesThem() {
        assertThat(PluginLog.parseLevel("Debug")).isEqualTo(PluginLog.Level.DEBUG);
        assertThat(PluginLog.parseLevel("trace")).isEqualTo(PluginLog.Level.DEBUG);
        assertThat(PluginLog.parseLevel(" info ")).isEqualTo(PluginLog.Level.INFO);
        assertThat(PluginLog.parseLevel("WARNING")).isEqualTo(PluginLog.Level.WARN);
        assertThat(PluginLog.parseLevel("warn")).isEqualTo(PluginLog.Level.WARN);
        assertThat(PluginLog.parseLevel("Fatal")).isEqualTo(PluginLog.Level.ERROR);
        assertThat(PluginLog.parseLevel("error")).isEqualTo(PluginLog.Level.ERROR);
        assertThat(PluginLog.parseLevel("chatty")).isEqualTo(PluginLog.Level.INFO);
    }

    @Test
    void aForgedNewlineInAValueIsEscapedAndStaysOnItsLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("plugin.log");
        String cniArgs = "K8S_POD_NAME=a\n2026-01-01T00:00:00.000Z ERROR [1] forged\r\u001b[2J;K8S_POD_NAMESPACE=b";
        try (PluginLog log = PluginLog.toFile(file, PluginLog.Level.INFO)) {
            log.error("CNI_ARGS has an invalid pair '" + cniArgs + "'");
        }

        assertThat(Files.readAllLines(file)).singleElement().asString()
                .contains("K8S_POD_NAME=a\\n2026-01-01T00:00:00.000Z ERROR [1] forged\\r\\u001b[2J;");
    }

    /**
     * Invocations of the plugin server each have a log of their own on the same file: when it is over the limit,
     * exactly one of them rotates it, the rotated generation is the full one, and no line is lost.
     */
    @Test
    void concurrentWritersRotateAFullFileOnceAndLoseNoLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plugin.log");
        long limit = 64 * 1024;
        for (int round = 0; round < 20; round++) {
            Files.writeString(file, "x".repeat((int) limit) + "\n");
            Files.deleteIfExists(dir.resolve("plugin.log.1"));
            int writers = 16;
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            java.util.List<Thread> threads = new java.util.ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int id = i;
                threads.add(Thread.ofPlatform().start(() -> {
                    try (PluginLog log = PluginLog.toFile(file, PluginLog.Level.INFO, limit)) {
                        start.await();
                        log.info("writer " + id);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertThat(Files.size(dir.resolve("plugin.log.1"))).as("round %d", round).isEqualTo(limit + 1);
            assertThat(Files.readAllLines(file)).as("round %d", round).hasSize(writers);
        }
    }
}
