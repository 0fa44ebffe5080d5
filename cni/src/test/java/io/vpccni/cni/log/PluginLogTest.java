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
}
