package io.vpccni.eni.leak;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.fake.FakeEc2Api;
import io.vpccni.eni.fake.Fault;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.port.Ec2Api.CreateEni;
import io.vpccni.eni.port.Ec2Api.EniQuery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The leaked-ENI collector deletes only old, available ENIs of this node and cluster. */
class LeakedEniCollectorTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeEc2Api ec2 = new FakeEc2Api();
    private final String subnet = ec2.createSubnet("10.0.4.0/24");
    private final String me = ec2.runInstance(subnet, "m5.large");

    private LeakedEniCollector collectorAt(Instant now) {
        return new LeakedEniCollector(ec2, me, Optional.of("blue"), LeakedEniCollector.DEFAULT_GRACE,
                Clock.fixed(now, ZoneOffset.UTC));
    }

    private String eni(String description, String instanceTag, String cluster, Instant createdAt) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(Eni.INSTANCE_ID_TAG, instanceTag);
        tags.put(Eni.CLUSTER_NAME_TAG, cluster);
        if (createdAt != null) {
            tags.put(Eni.CREATED_AT_TAG, createdAt.toString());
        }
        return ec2.createNetworkInterface(new CreateEni(subnet, description, List.of(), 0, 0, tags)).id();
    }

    private List<String> existing() {
        return ec2.describeNetworkInterfaces(EniQuery.byIds(List.of())).stream().map(Eni::id).toList();
    }

    @Test
    void deletesAnOldOrphanOfOursAndLeavesEverythingElse() {
        Instant old = NOW.minus(Duration.ofMinutes(10));
        String oldOrphan = eni("aws-K8S-" + me, me, "blue", old);
        String youngOrphan = eni("aws-K8S-" + me, me, "blue", NOW.minus(Duration.ofMinutes(2)));
        String attached = eni("aws-K8S-" + me, me, "blue", old);
        ec2.attachNetworkInterface(attached, me, 1);
        String otherNodes = eni("aws-K8S-i-0000000000other", "i-0000000000other", "blue", old);
        String otherClusters = eni("aws-K8S-" + me, me, "green", old);
        String notOurDescription = eni("someone else's", me, "blue", old);
        String unmanaged = eni("aws-K8S-" + me, me, "blue", old);
        ec2.createTags(unmanaged, Map.of(Eni.NO_MANAGE_TAG, "true"));

        var result = collectorAt(NOW).sweep();

        // With CLUSTER_NAME set every node collects its cluster's leaks: a terminated node cannot collect its own.
        assertThat(result.deleted()).containsExactlyInAnyOrder(oldOrphan, otherNodes);
        assertThat(existing()).doesNotContain(oldOrphan, otherNodes)
                .contains(youngOrphan, attached, otherClusters, notOurDescription, unmanaged);
    }

    @Test
    void withoutAClusterNameOnlyTheNodesOwnLeaksAreCollected() {
        Instant old = NOW.minus(Duration.ofMinutes(10));
        String mine = eni("aws-K8S-" + me, me, "blue", old);
        String otherNodes = eni("aws-K8S-i-0000000000other", "i-0000000000other", "blue", old);

        var result = new LeakedEniCollector(ec2, me, Optional.empty(), LeakedEniCollector.DEFAULT_GRACE,
                Clock.fixed(NOW, ZoneOffset.UTC)).sweep();

        assertThat(result.deleted()).containsExactly(mine);
        assertThat(existing()).contains(otherNodes);
    }

    @Test
    void anEniWhoseDescriptionNamesAnotherInstanceThanItsTagIsLeftAlone() {
        String mismatched = eni("aws-K8S-i-0000000000other", me, "blue", NOW.minus(Duration.ofMinutes(10)));

        assertThat(collectorAt(NOW).sweep().deleted()).isEmpty();
        assertThat(existing()).contains(mismatched);
    }

    @Test
    void tagsAnOrphanWithoutCreationTimeAndJudgesItAfterTheGracePeriod() {
        String untimed = eni("aws-K8S-" + me, me, "blue", null);

        var first = collectorAt(NOW).sweep();
        assertThat(first.taggedForLater()).containsExactly(untimed);
        assertThat(first.deleted()).isEmpty();
        assertThat(ec2.describeNetworkInterfaces(EniQuery.byIds(List.of(untimed))).getFirst().createdAtTag())
                .contains(NOW);

        assertThat(collectorAt(NOW.plus(Duration.ofMinutes(4))).sweep().deleted()).isEmpty();
        assertThat(collectorAt(NOW.plus(Duration.ofMinutes(6))).sweep().deleted()).containsExactly(untimed);
        assertThat(existing()).doesNotContain(untimed);
    }

    @Test
    void aDeleteThatFailsIsReportedAndTheSweepGoesOn() {
        Instant old = NOW.minus(Duration.ofMinutes(10));
        String first = eni("aws-K8S-" + me, me, "blue", old);
        String second = eni("aws-K8S-" + me, me, "blue", old);
        ec2.failNext("DeleteNetworkInterface", 1, Fault.unauthorized());

        var result = collectorAt(NOW).sweep();

        assertThat(result.failed()).containsExactly(first);
        assertThat(result.deleted()).containsExactly(second);
        assertThat(collectorAt(NOW).sweep().deleted()).as("the next sweep deletes it").containsExactly(first);
    }
}
