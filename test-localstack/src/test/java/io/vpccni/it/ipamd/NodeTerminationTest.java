package io.vpccni.it.ipamd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.aws.AwsEc2Api;
import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.leak.LeakedEniCollector;
import io.vpccni.eni.model.Eni;
import io.vpccni.it.localstack.LocalStack;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * A node's instance is terminated: EC2 deletes every ENI the daemon attached (it marks each DeleteOnTermination),
 * and the one ENI a crash left created but never attached is collected by another node of the cluster.
 */
class NodeTerminationTest {

    @Test
    void terminationLeavesNoEniOfTheNodeBehindOnceAnotherNodeHasSwept() throws Exception {
        String cluster = "terminate-" + UUID.randomUUID();
        Map<String, String> settings = Map.of("CLUSTER_NAME", cluster);
        try (SimulatedNode node = new SimulatedNode("m5.large", settings).start();
             SimulatedNode other = new SimulatedNode("m5.large", settings)) {
            node.settle(() -> node.daemon.view().poolStats().total() == 9);
            for (int i = 0; i < 12; i++) {
                node.add("p" + i);
            }
            node.settle(() -> node.daemon.view().enis().size() == 3);
            String me = node.instance.instanceId();
            // What a crash between CreateNetworkInterface and AttachNetworkInterface leaves: tagged as the daemon
            // tags its ENIs, never attached.
            String orphan = node.raw.createNetworkInterface(b -> b.subnetId(node.subnetId)
                    .description(Eni.descriptionFor(me)).tagSpecifications(t -> t.resourceType("network-interface")
                            .tags(tag(Eni.INSTANCE_ID_TAG, me), tag(Eni.CLUSTER_NAME_TAG, cluster),
                                    tag(Eni.CREATED_AT_TAG, Instant.now().toString()))))
                    .networkInterface().networkInterfaceId();
            node.daemon.close();
            node.daemon = null;

            node.raw.terminateInstances(b -> b.instanceIds(me));
            assertThat(enisCreatedBy(node, me)).as("ENIs of the terminated node").extracting(
                    NetworkInterface::networkInterfaceId).containsExactly(orphan);

            Instant later = Instant.now().plus(LeakedEniCollector.DEFAULT_GRACE).plusSeconds(60);
            var sweep = new LeakedEniCollector(new AwsEc2Api(LocalStack.client(List.of()),
                    LocalStack.fastGuard(new Ec2CallStats())), other.instance.instanceId(), Optional.of(cluster),
                    LeakedEniCollector.DEFAULT_GRACE, Clock.fixed(later, ZoneOffset.UTC)).sweep();
            assertThat(sweep.deleted()).containsExactly(orphan);
            assertThat(enisCreatedBy(node, me)).isEmpty();
        }
    }

    private static List<NetworkInterface> enisCreatedBy(SimulatedNode node, String instanceId) {
        return node.raw.describeNetworkInterfaces(b -> b.filters(f -> f.name("vpc-id").values(node.vpc.vpcId())))
                .networkInterfaces().stream()
                .filter(n -> n.attachment() != null && instanceId.equals(n.attachment().instanceId())
                        || n.tagSet().stream().anyMatch(t -> t.key().equals(Eni.INSTANCE_ID_TAG)
                        && t.value().equals(instanceId)))
                .toList();
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }
}
