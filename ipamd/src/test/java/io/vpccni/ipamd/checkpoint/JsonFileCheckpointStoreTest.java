package io.vpccni.ipamd.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.vpccni.ipamd.checkpoint.CheckpointException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFileCheckpointStoreTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("aws-node").resolve("ipam.json");
    }

    private JsonFileCheckpointStore store() {
        return new JsonFileCheckpointStore(file());
    }

    private void fileContains(String json) throws IOException {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), json);
    }

    @Test
    void readsNothingWhenNoCheckpointWasEverWritten() {
        assertThat(store().read()).isEmpty();
    }

    @Test
    void readsBackEveryFieldIncludingOurExtrasAndCooldowns() {
        store().write(Samples.everything());

        assertThat(store().read()).contains(Samples.everything());
    }

    @Test
    void laterWriteReplacesEarlierOne() {
        store().write(Samples.withPods(3));
        store().write(Samples.withPods(1));

        assertThat(store().read()).contains(Samples.withPods(1));
    }

    @Test
    void createsMissingParentDirectories() {
        store().write(Samples.withPods(1));

        assertThat(file()).isRegularFile();
    }

    @Test
    void fileIsReadableByOwnerOnlyLikeUpstreams() throws IOException {
        store().write(Samples.withPods(1));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
    }

    @Test
    void leavesNoTemporaryFileBehind() throws IOException {
        store().write(Samples.withPods(2));
        store().write(Samples.withPods(3));

        try (var files = Files.list(file().getParent())) {
            assertThat(files).containsExactly(file());
        }
    }

    @Test
    void ignoresAndRemovesTemporaryFilesLeftByACrashedWrite() throws IOException {
        store().write(Samples.withPods(2));
        Path half = file().resolveSibling("ipam.json.tmp5577006791947779410"); // upstream's naming
        Files.writeString(half, "{\"version\":\"vpc-cni-ipam/1\",\"allocations\":[{\"netw");

        assertThat(store().read()).contains(Samples.withPods(2));
        assertThat(half).doesNotExist();
    }

    @Test
    void firstWriteRemovesTemporaryFilesLeftByACrashedWrite() throws IOException {
        Files.createDirectories(file().getParent());
        Path half = file().resolveSibling("ipam.json.tmp0c1a");
        Files.writeString(half, "{");

        store().write(Samples.withPods(1));

        assertThat(half).doesNotExist();
    }

    @Test
    void truncatedFileIsAnErrorNamingThePathNotAnEmptyCheckpoint() throws IOException {
        fileContains("{\"version\":\"vpc-cni-ipam/1\",\"allocations\":[{\"networkName\":\"aws-cni\",\"contai");

        assertThatThrownBy(() -> store().read())
                .asInstanceOf(type(CheckpointException.class))
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
                    assertThat(e.path()).contains(file());
                    assertThat(e.getMessage()).contains(file().toString(), "not valid JSON");
                });
    }

    @Test
    void emptyFileIsCorrupt() throws IOException {
        fileContains("");

        assertThatThrownBy(() -> store().read())
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file().toString())
                .hasMessageContaining("is empty");
    }

    @Test
    void trailingGarbageIsCorrupt() throws IOException {
        fileContains("{\"version\":\"vpc-cni-ipam/1\",\"allocations\":[]}\n}garbage");

        assertThatThrownBy(() -> store().read())
                .asInstanceOf(type(CheckpointException.class))
                .extracting(CheckpointException::reason)
                .isEqualTo(Reason.CORRUPT);
    }

    @Test
    void unknownVersionIsAnErrorNamingTheVersion() throws IOException {
        fileContains("{\"version\":\"vpc-cni-ipam/2\",\"allocations\":[]}\n");

        assertThatThrownBy(() -> store().read())
                .asInstanceOf(type(CheckpointException.class))
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_VERSION);
                    assertThat(e.getMessage()).contains("\"vpc-cni-ipam/2\"", "vpc-cni-ipam/1", file().toString());
                });
    }

    @Test
    void missingVersionIsAnError() throws IOException {
        fileContains("{\"allocations\":[]}");

        assertThatThrownBy(() -> store().read())
                .asInstanceOf(type(CheckpointException.class))
                .extracting(CheckpointException::reason)
                .isEqualTo(Reason.UNSUPPORTED_VERSION);
    }

    @Test
    void fieldOfTheWrongTypeIsAnErrorNamingTheField() throws IOException {
        fileContains("""
                {"version":"vpc-cni-ipam/1","allocations":[
                  {"networkName":"aws-cni","containerID":"a","ifName":"eth0","ipv4":"10.0.0.1",
                   "allocationTimestamp":0,"metadata":{}},
                  {"networkName":"aws-cni","containerID":"b","ifName":"eth0","ipv4":"10.0.0.2",
                   "allocationTimestamp":"yesterday","metadata":{}}]}
                """);

        assertThatThrownBy(() -> store().read())
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("allocations[1].allocationTimestamp")
                .hasMessageContaining("64-bit integer");
    }

    @Test
    void timestampWrittenAsAFloatIsRejectedAsGoDoes() throws IOException {
        fileContains("""
                {"version":"vpc-cni-ipam/1","allocations":[{"networkName":"aws-cni","containerID":"a",
                 "ifName":"eth0","ipv4":"10.0.0.1","allocationTimestamp":1.7e18,"metadata":{}}]}""");

        assertThatThrownBy(() -> store().read()).hasMessageContaining("allocations[0].allocationTimestamp");
    }

    @Test
    void unknownFieldsAreIgnoredAsGoDoes() throws IOException {
        fileContains("""
                {"version":"vpc-cni-ipam/1","futureTopLevel":{"x":[1,2]},"allocations":[
                  {"networkName":"aws-cni","containerID":"a","ifName":"eth0","ipv4":"10.0.0.1",
                   "allocationTimestamp":5,"metadata":{"k8sPodName":"p","someday":true},"alsoNew":null}]}""");

        assertThat(store().read()).hasValueSatisfying(c -> assertThat(c.allocations()).containsExactly(
                CheckpointEntry.ipv4("aws-cni", "a", "eth0", "10.0.0.1", 5, new PodMetadata("", "p", 0))));
    }

    @Test
    void nullOrMissingValuesReadAsEmptyAsGoDoes() throws IOException {
        fileContains("""
                {"version":"vpc-cni-ipam/1","allocations":null}""");

        assertThat(store().read()).contains(Checkpoint.empty());
    }

    @Test
    void fileThatCannotBeReadIsAnErrorNotAnEmptyCheckpoint() throws IOException {
        Files.createDirectories(file()); // a directory where the file should be

        assertThatThrownBy(() -> store().read())
                .asInstanceOf(type(CheckpointException.class))
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNREADABLE);
                    assertThat(e.getMessage()).contains(file().toString());
                });
    }

    @Test
    void failedWriteReportsThePathAndLeavesNoTemporaryFile() throws IOException {
        Files.createDirectories(file().resolve("occupied")); // rename cannot replace a non-empty directory

        assertThatThrownBy(() -> store().write(Samples.withPods(1)))
                .asInstanceOf(type(CheckpointException.class))
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Reason.WRITE_FAILED);
                    assertThat(e.getMessage()).contains(file().toString());
                });
        try (var files = Files.list(file().getParent())) {
            assertThat(files).containsExactly(file());
        }
    }

    @Test
    void refusesToWriteAFormatNobodyCouldRead() {
        var future = new Checkpoint("vpc-cni-ipam/2", List.of(), List.of());

        assertThatThrownBy(() -> store().write(future)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesUtf8() throws IOException {
        var entry = CheckpointEntry.ipv4("aws-cni", "c", "eth0", "10.0.0.1", 1, PodMetadata.of("ns", "pöd-ü"));
        store().write(new Checkpoint(List.of(entry), List.of()));

        assertThat(Files.readString(file(), StandardCharsets.UTF_8)).contains("pöd-ü");
        assertThat(store().read()).hasValueSatisfying(c -> assertThat(c.allocations()).containsExactly(entry));
    }
}
