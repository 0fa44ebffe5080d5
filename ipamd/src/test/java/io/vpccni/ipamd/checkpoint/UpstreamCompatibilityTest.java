package io.vpccni.ipamd.checkpoint;

import static io.vpccni.ipamd.checkpoint.Samples.UPSTREAM_IPV4_FIXTURE;
import static io.vpccni.ipamd.checkpoint.Samples.UPSTREAM_IPV6_FIXTURE;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Moving a node from aws-node to us and back: each side must read what the other wrote. */
class UpstreamCompatibilityTest {

    @TempDir
    Path dir;

    private JsonFileCheckpointStore storeHolding(byte[] json) throws IOException {
        Path file = dir.resolve("ipam.json");
        Files.write(file, json);
        return new JsonFileCheckpointStore(file);
    }

    @Test
    void adoptsACheckpointWrittenByAwsVpcCni() throws IOException {
        Checkpoint adopted = storeHolding(Samples.fixture(UPSTREAM_IPV4_FIXTURE)).read().orElseThrow();

        assertThat(adopted.version()).isEqualTo("vpc-cni-ipam/1");
        assertThat(adopted.cooldowns()).isEmpty();
        assertThat(adopted.allocations()).containsExactly(
                CheckpointEntry.ipv4("aws-cni", "3f1c0e5b8a7d4c2e9b6a1f0d3c5e7a9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c",
                        "eth0", "192.168.45.12", 1718035200123456789L,
                        new PodMetadata("kube-system", "coredns-787cb67946-x8pzk", 1)),
                CheckpointEntry.ipv4("aws-cni", "9a8b7c6d5e4f30211203948576afbecd0123456789abcdef0123456789abcdef",
                        "eth0", "192.168.47.201", 1718035261987654321L,
                        new PodMetadata("default", "nginx-7c79c4bf97-2kq5m", 1)),
                // written before multi-NIC support added interfacesCount
                CheckpointEntry.ipv4("aws-cni", "c0ffee00".repeat(8), "eth0", "192.168.40.77",
                        1650000000000000000L, new PodMetadata("monitoring", "node-exporter-old", 0)),
                // backfilled from the CRI by v1.7; upstream still releases it by container id alone
                CheckpointEntry.ipv4("_migrated-from-cri",
                        "5b2e4c6a8d0f1e3c5a7b9d1f3e5c7a9b0d2f4e6c8a0b1d3f5e7c9a1b3d5f7e9c", "unknown",
                        "192.168.33.7", 0, PodMetadata.EMPTY));
        assertThat(adopted.allocations()).filteredOn(CheckpointEntry::migratedFromCri).hasSize(1);
        assertThat(adopted.allocations()).allSatisfy(e -> {
            assertThat(e.podUid()).isEmpty();
            assertThat(e.eniId()).isEmpty();
            assertThat(e.deviceNumber()).isEmpty();
        });
    }

    @Test
    void adoptsAnIpv6CheckpointWrittenByAwsVpcCni() throws IOException {
        Checkpoint adopted = storeHolding(Samples.fixture(UPSTREAM_IPV6_FIXTURE)).read().orElseThrow();

        assertThat(adopted.allocations()).extracting(CheckpointEntry::ipv6)
                .containsExactly(Optional.of("2600:1f14:abc:de00:9d2f::3"), Optional.of("2600:1f14:abc:de00:9d2f::4"));
        assertThat(adopted.allocations()).allSatisfy(e -> assertThat(e.ipv4()).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {UPSTREAM_IPV4_FIXTURE, UPSTREAM_IPV6_FIXTURE})
    void rewritingAnUpstreamCheckpointReproducesItByteForByte(String fixture) throws IOException {
        byte[] upstream = Samples.fixture(fixture);
        JsonFileCheckpointStore store = storeHolding(upstream);

        store.write(store.read().orElseThrow());

        assertThat(new String(Files.readAllBytes(store.file()), StandardCharsets.UTF_8))
                .isEqualTo(new String(upstream, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {UPSTREAM_IPV4_FIXTURE, UPSTREAM_IPV6_FIXTURE})
    void upstreamFixturesPassTheSchemaCheck(String fixture) {
        assertThat(UpstreamSchema.violations(Samples.fixture(fixture))).isEmpty();
    }

    @Test
    void checkpointWeWriteKeepsUpstreamFieldNamesAndTypes() throws IOException {
        JsonFileCheckpointStore store = new JsonFileCheckpointStore(dir.resolve("ipam.json"));

        store.write(Samples.everything());

        assertThat(UpstreamSchema.violations(Files.readAllBytes(store.file()))).isEmpty();
    }

    @Test
    void emptyNodeIsWrittenAsAnEmptyArrayLikeUpstream() throws IOException {
        JsonFileCheckpointStore store = new JsonFileCheckpointStore(dir.resolve("ipam.json"));

        store.write(Checkpoint.empty());

        assertThat(Files.readString(store.file())).isEqualTo("{\"version\":\"vpc-cni-ipam/1\",\"allocations\":[]}\n");
    }

    @Test
    void ourExtraKeysNeverCollideWithUpstreamKeysIgnoringCase() {
        // Go's encoding/json matches object keys to struct fields case-insensitively.
        var upstream = Stream.of(UpstreamSchema.TOP, UpstreamSchema.ENTRY, UpstreamSchema.METADATA)
                .flatMap(m -> m.keySet().stream()).map(k -> k.toLowerCase(Locale.ROOT)).toList();
        var ours = Stream.of(CheckpointJson.COOLDOWNS, CheckpointJson.POD_UID, CheckpointJson.ENI_ID,
                CheckpointJson.DEVICE_NUMBER).map(k -> k.toLowerCase(Locale.ROOT)).toList();

        assertThat(ours).doesNotContainAnyElementsOf(upstream);
    }

    @Test
    void schemaCheckCatchesARenamedOrRetypedField() {
        String good = "{\"networkName\":\"aws-cni\",\"containerID\":\"c\",\"ifName\":\"eth0\",\"ipv4\":\"10.0.0.1\","
                + "\"allocationTimestamp\":1,\"metadata\":{}}";
        List<String> broken = List.of(
                good.replace("containerID", "containerId"),
                good.replace("\"allocationTimestamp\":1", "\"allocationTimestamp\":\"1\""),
                good.replace("\"ipv4\":\"10.0.0.1\"", "\"ipv4\":\"10.0.0.1\",\"IPv6\":\"\""),
                good.replace("\"metadata\":{}", "\"metadata\":{\"interfacesCount\":0}"));

        assertThat(broken).allSatisfy(entry -> assertThat(UpstreamSchema.violations(
                ("{\"version\":\"vpc-cni-ipam/1\",\"allocations\":[" + entry + "]}").getBytes(StandardCharsets.UTF_8)))
                .isNotEmpty());
    }

    @Test
    void entryWithoutExtrasIsWrittenWithUpstreamFieldsOnly() {
        var entry = new CheckpointEntry("aws-cni", "c", "eth0", Optional.of("10.0.0.1"), Optional.of(""), 7,
                PodMetadata.EMPTY, Optional.empty(), Optional.empty(), OptionalInt.empty());

        String json = new String(CheckpointJson.encode(new Checkpoint(List.of(entry), List.of())), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"version\":\"vpc-cni-ipam/1\",\"allocations\":[{\"networkName\":\"aws-cni\","
                + "\"containerID\":\"c\",\"ifName\":\"eth0\",\"ipv4\":\"10.0.0.1\",\"allocationTimestamp\":7,"
                + "\"metadata\":{}}]}\n");
    }
}
