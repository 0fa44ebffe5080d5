package io.vpccni.ipamd.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.port.InstanceMetadata;
import io.vpccni.ipamd.hostnet.LinkRetry;
import io.vpccni.netlink.api.MacAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class MetadataMacsTest {

    /**
     * Instance metadata as a list the test changes between walks, counting the walks. A fake because the test
     * metadata server of test-localstack answers from the EC2 emulator: it can neither count walks nor make an ENI
     * appear between two of them.
     */
    private static final class CountingMetadata implements InstanceMetadata {
        final List<EniMetadata> attached = new CopyOnWriteArrayList<>();
        int walks;
        Runnable beforeWalk = () -> {};

        @Override
        public InstanceIdentity identity() {
            throw new UnsupportedOperationException("MetadataMacs only walks the ENIs");
        }

        @Override
        public List<EniMetadata> enis() {
            beforeWalk.run();
            walks++;
            return List.copyOf(attached);
        }
    }

    private final CountingMetadata metadata = new CountingMetadata();
    private final List<Duration> slept = new ArrayList<>();
    private final MetadataMacs macs = new MetadataMacs(metadata, new LinkRetry(4, Duration.ofMillis(500), slept::add));

    private static EniMetadata eni(String id, String mac, int device) {
        return new EniMetadata(mac, id, device, "subnet-1", "vpc-1", List.of("sg-1"), List.of("10.0.0." + (device + 4)),
                List.of(), "10.0.0.0/24", List.of("10.0.0.0/16"));
    }

    @Test
    void oneWalkAnswersForEveryEniAttachedAtThatTime() {
        metadata.attached.addAll(List.of(eni("eni-a", "02:00:00:00:00:0a", 0), eni("eni-b", "02:00:00:00:00:0b", 1),
                eni("eni-c", "02:00:00:00:00:0c", 2)));

        assertThat(macs.apply("eni-b")).isEqualTo(MacAddress.parse("02:00:00:00:00:0b"));
        assertThat(macs.apply("eni-c")).isEqualTo(MacAddress.parse("02:00:00:00:00:0c"));
        assertThat(macs.apply("eni-a")).isEqualTo(MacAddress.parse("02:00:00:00:00:0a"));

        assertThat(metadata.walks).isOne();
        assertThat(slept).isEmpty();
    }

    @Test
    void theMacsOfTheStartsWalkNeedNoWalkOfTheirOwn() {
        List<EniMetadata> startWalk = List.of(eni("eni-a", "02:00:00:00:00:0a", 0), eni("eni-b", "02:00:00:00:00:0b", 1));
        metadata.attached.addAll(startWalk);

        macs.learn(startWalk);

        assertThat(macs.apply("eni-b")).isEqualTo(MacAddress.parse("02:00:00:00:00:0b"));
        assertThat(metadata.walks).isZero();
    }

    @Test
    void aJustAttachedEniIsWaitedForUntilMetadataShowsIt() {
        metadata.attached.add(eni("eni-a", "02:00:00:00:00:0a", 0));
        metadata.beforeWalk = () -> {
            if (metadata.walks == 2) {
                metadata.attached.add(eni("eni-new", "02:00:00:00:00:0e", 1));
            }
        };

        assertThat(macs.apply("eni-new")).isEqualTo(MacAddress.parse("02:00:00:00:00:0e"));

        assertThat(metadata.walks).isEqualTo(3);
        assertThat(slept).containsExactly(Duration.ofMillis(500), Duration.ofMillis(500));
    }

    @Test
    void anEniThatLeftTheInstanceIsAnsweredFromMemory() {
        metadata.attached.addAll(List.of(eni("eni-a", "02:00:00:00:00:0a", 0), eni("eni-b", "02:00:00:00:00:0b", 1)));
        macs.apply("eni-b");
        metadata.attached.removeIf(e -> e.interfaceId().equals("eni-b"));

        assertThat(macs.apply("eni-b")).isEqualTo(MacAddress.parse("02:00:00:00:00:0b"));
        assertThat(metadata.walks).isOne();
        assertThat(slept).isEmpty();
    }

    @Test
    void anEniThatNeverAppearsFailsNamingItAfterTheBoundedWait() {
        metadata.attached.add(eni("eni-a", "02:00:00:00:00:0a", 0));

        assertThatThrownBy(() -> macs.apply("eni-missing")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("eni-missing").hasMessageContaining("4 looks");
        assertThat(metadata.walks).isEqualTo(4);
        assertThat(slept).hasSize(3);
    }
}
