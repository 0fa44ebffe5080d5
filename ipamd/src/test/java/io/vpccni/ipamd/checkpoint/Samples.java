package io.vpccni.ipamd.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Checkpoints and fixtures shared by the tests. */
final class Samples {

    static final String UPSTREAM_IPV4_FIXTURE = "aws-vpc-cni-ipam-ipv4.json";
    static final String UPSTREAM_IPV6_FIXTURE = "aws-vpc-cni-ipam-ipv6.json";

    private Samples() {}

    /** One pod per index, as our daemon records it: every extra filled in. */
    static CheckpointEntry pod(int i) {
        return CheckpointEntry.ipv4("aws-cni", "%064x".formatted(i), "eth0",
                        "10.0.%d.%d".formatted(i / 250, i % 250 + 4), 1_700_000_000_000_000_000L + i,
                        PodMetadata.of("ns-" + i % 7, "pod-" + i))
                .withPodUid("uid-" + i)
                .withEni("eni-0123456789abcdef" + i % 3, i % 3);
    }

    /** The first {@code count} pods; the crash test uses the count to tell which write a file came from. */
    static Checkpoint withPods(int count) {
        List<CheckpointEntry> pods = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            pods.add(pod(i));
        }
        return new Checkpoint(pods, List.of());
    }

    static Checkpoint everything() {
        return new Checkpoint(
                List.of(pod(0), pod(1),
                        CheckpointEntry.ipv6("aws-cni", "ab".repeat(32), "eth0", "2600:1f14:abc:de00::7",
                                1_700_000_000_500_000_000L, PodMetadata.of("default", "v6")).withEni("eni-1", 0)),
                List.of(CooldownEntry.ipv4("10.0.9.9", 1_700_000_001_000_000_000L).withEni("eni-0123456789abcdef0"),
                        CooldownEntry.ipv6("2600:1f14:abc:de00::8", 1_700_000_002_000_000_000L)));
    }

    static byte[] fixture(String name) {
        try (InputStream in = Samples.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
