package io.vpccni.it.eni;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.leak.LeakedEniCollector;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.port.Ec2Api.EniQuery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** The leaked-ENI collector deletes only old, available ENIs of this node and cluster. */
class LeakedEniCollectorTest {

    private final Node node = new Node();
    // The emulator is shared by every test: a cluster name of this test's own.
    private final String blue = "blue-" + java.util.UUID.randomUUID();
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final LeakedEniCollector collector = new LeakedEniCollector(node.ec2, node.instance.instanceId(),
            Optional.of(blue), LeakedEniCollector.DEFAULT_GRACE, Clock.fixed(now, java.time.ZoneOffset.UTC));

    @AfterEach
    void tearDown() {
        node.close();
    }

    @Test
    void deletesAnOldOrphanOfOursAndLeavesEverythingElse() {
        String me = node.instance.instanceId();
        String oldOrphan = eni("aws-K8S-" + me, me, blue, now.minus(Duration.ofMinutes(10)));
        String youngOrphan = eni("aws-K8S-" + me, me, blue, now.minus(Duration.ofMinutes(2)));
        String attached = eni("aws-K8S-" + me, me, blue, now.minus(Duration.ofMinutes(10)));
        node.raw.attachNetworkInterface(b -> b.networkInterfaceId(attached).instanceId(me).deviceIndex(1));
        String otherNodes = eni("aws-K8S-i-0000000000other", "i-0000000000other", blue,
                now.minus(Duration.ofMinutes(10)));
        String otherClusters = eni("aws-K8S-" + me, me, "green", now.minus(Duration.ofMinutes(10)));
        String notOurDescription = eni("someone else's", me, blue, now.minus(Duration.ofMinutes(10)));

        var result = collector.sweep();

        // With CLUSTER_NAME set every node collects its cluster's leaks: a terminated node cannot collect its own.
        assertThat(result.deleted()).containsExactlyInAnyOrder(oldOrphan, otherNodes);
        assertThat(existing(List.of(oldOrphan, youngOrphan, attached, otherNodes, otherClusters, notOurDescription)))
                .containsExactlyInAnyOrder(youngOrphan, attached, otherClusters, notOurDescription);
    }

    @Test
    void withoutAClusterNameOnlyTheNodesOwnLeaksAreCollected() {
        String me = node.instance.instanceId();
        String mine = eni("aws-K8S-" + me, me, blue, now.minus(Duration.ofMinutes(10)));
        String otherNodes = eni("aws-K8S-i-0000000000other", "i-0000000000other", blue,
                now.minus(Duration.ofMinutes(10)));

        var result = new LeakedEniCollector(node.ec2, me, Optional.empty(), LeakedEniCollector.DEFAULT_GRACE,
                Clock.fixed(now, java.time.ZoneOffset.UTC)).sweep();

        assertThat(result.deleted()).containsExactly(mine);
        assertThat(existing(List.of(mine, otherNodes))).containsExactly(otherNodes);
    }

    @Test
    void tagsAnOrphanWithoutCreationTimeAndJudgesItLater() {
        String me = node.instance.instanceId();
        String untimed = eni("aws-K8S-" + me, me, blue, null);

        var result = collector.sweep();

        assertThat(result.taggedForLater()).containsExactly(untimed);
        assertThat(result.deleted()).isEmpty();
        Eni tagged = node.ec2.describeNetworkInterfaces(EniQuery.byIds(List.of(untimed))).getFirst();
        assertThat(tagged.createdAtTag()).contains(now);

        var later = new LeakedEniCollector(node.ec2, me, Optional.of(blue), LeakedEniCollector.DEFAULT_GRACE,
                Clock.fixed(now.plus(Duration.ofMinutes(6)), java.time.ZoneOffset.UTC)).sweep();
        assertThat(later.deleted()).containsExactly(untimed);
    }

    private String eni(String description, String instanceTag, String cluster, Instant createdAt) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(Eni.INSTANCE_ID_TAG, instanceTag);
        tags.put(Eni.CLUSTER_NAME_TAG, cluster);
        if (createdAt != null) {
            tags.put(Eni.CREATED_AT_TAG, createdAt.toString());
        }
        return node.raw.createNetworkInterface(b -> b.subnetId(node.subnetId).description(description)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.NETWORK_INTERFACE)
                        .tags(tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
                                .toList()).build()))
                .networkInterface().networkInterfaceId();
    }

    private List<String> existing(List<String> ids) {
        return ids.stream().filter(id -> !node.raw.describeNetworkInterfaces(b -> b.filters(f -> f
                .name("network-interface-id").values(id))).networkInterfaces().isEmpty()).toList();
    }
}
