package io.vpccni.ipamd.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.fake.FakeEc2Api;
import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.port.InstanceMetadata;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.k8s.ClusterLink;
import io.vpccni.ipamd.pool.NodeEni;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start reads the instance's ENIs from instance metadata once: the node networking, the ENI sync and the pool's
 * placement all use that walk (each walk is a few requests per ENI; the start made three before). The real
 * NodeDaemon on the in-memory EC2, its metadata counted.
 */
class StartWalksMetadataOnceTest {

    @TempDir
    Path dir;

    @Test
    void theStartWalksTheEnisInInstanceMetadataOnce() throws Exception {
        FakeEc2Api ec2 = new FakeEc2Api();
        InstanceMetadata instance = ec2.instanceMetadata(ec2.runInstance(ec2.createSubnet("10.0.31.0/24"), "t3.small"));
        AtomicInteger walks = new AtomicInteger();
        InstanceMetadata counted = new InstanceMetadata() {
            @Override
            public InstanceIdentity identity() {
                return instance.identity();
            }

            @Override
            public List<EniMetadata> enis() {
                walks.incrementAndGet();
                return instance.enis();
            }
        };
        List<EniMetadata> seenBySetUp = new CopyOnWriteArrayList<>();
        NodeNetworking networking = new NodeNetworking() {
            @Override
            public void setUpNode(InstanceIdentity identity, List<EniMetadata> enis) {
                seenBySetUp.addAll(enis);
            }

            @Override
            public void attached(NodeEni eni) {}

            @Override
            public void detaching(NodeEni eni) {}
        };
        var config = IpamdConfig.fromEnvironment(Map.of("VPC_CNI_SOCKET", dir.resolve("ipamd.sock").toString(),
                "AWS_VPC_K8S_CNI_BACKING_STORE", dir.resolve("ipam.json").toString(),
                "DISABLE_LEAKED_ENI_CLEANUP", "true", "INTROSPECTION_BIND_ADDRESS", "127.0.0.1:0",
                "METRICS_BIND_ADDRESS", "127.0.0.1:0"));

        try (NodeDaemon daemon = new NodeDaemon(config, counted, ec2, new Ec2CallStats(), Clock.systemUTC(),
                networking, allocation -> true, Optional.empty(), ClusterLink.NONE).start()) {
            assertThat(daemon.view().poolStats().enis()).as("the synced ENIs").hasSize(1);
        }

        assertThat(walks).as("walks of the ENIs in instance metadata during the start").hasValue(1);
        assertThat(seenBySetUp).extracting(EniMetadata::interfaceId)
                .containsExactlyElementsOf(instance.enis().stream().map(EniMetadata::interfaceId).toList());
    }
}
