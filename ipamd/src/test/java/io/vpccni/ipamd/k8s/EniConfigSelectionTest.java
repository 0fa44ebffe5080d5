package io.vpccni.ipamd.k8s;

import static io.vpccni.ipamd.k8s.MockCluster.LABEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vpccni.ipamd.datastore.MutableClock;
import io.vpccni.ipamd.pool.EniPlacement;
import io.vpccni.netlink.testing.ClosedAfterAll;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ClosedAfterAll.class) // before the mock server: closes the links after it has stopped
@EnableKubernetesMockClient(crud = true)
class EniConfigSelectionTest {

    KubernetesClient client;
    MockCluster cluster;
    KubernetesLink link;
    ClosedAfterAll.Later later;

    @BeforeEach
    void eniConfigs() {
        cluster = new MockCluster(client);
        cluster.eniConfig("default", Map.of("subnet", "subnet-default", "securityGroups", List.of("sg-default")));
        cluster.eniConfig("us-east-1a", Map.of("subnet", "subnet-aaa", "securityGroups", List.of("sg-1", "sg-2")));
        cluster.eniConfig("by-annotation", Map.of("subnet", "subnet-bbb"));
    }

    private EniConfig chosen() {
        link = later.add(cluster.link(true, false, new MutableClock(Instant.EPOCH)));
        link.start(Hooks.none());
        EniConfigChoice choice = new EniConfigChoice(link.cluster(), LABEL, LABEL);
        MockCluster.await(() -> link.cluster().node().isPresent()
                && link.cluster().eniConfig("default").isPresent(), "node and ENIConfigs read");
        return choice.resolve();
    }

    @Test
    void nodeLabelNamesTheEniConfig() {
        cluster.node(Map.of(LABEL, "us-east-1a"), Map.of(), List.of());
        assertThat(chosen()).isEqualTo(new EniConfig("us-east-1a", "subnet-aaa", List.of("sg-1", "sg-2")));
    }

    @Test
    void annotationWinsOverTheLabel() {
        cluster.node(Map.of(LABEL, "us-east-1a"), Map.of(LABEL, "by-annotation"), List.of());
        EniConfig config = chosen();
        assertThat(config.name()).isEqualTo("by-annotation");
        assertThat(config.securityGroups()).as("none named: the primary ENI's are used").isEmpty();
    }

    @Test
    void nodeNamingNoneUsesDefault() {
        cluster.node(Map.of(), Map.of(), List.of());
        assertThat(chosen().subnet()).isEqualTo("subnet-default");
    }

    @Test
    void missingEniConfigBlocksPlacementAndSaysWhich() {
        cluster.node(Map.of(LABEL, "us-east-1z"), Map.of(), List.of());
        assertThatThrownBy(this::chosen).isInstanceOf(EniPlacement.Unavailable.class)
                .hasMessageContaining("ENIConfig us-east-1z").hasMessageContaining("does not exist");
    }

    @Test
    void eniConfigWithoutSubnetIsInvalid() {
        cluster.eniConfig("broken", Map.of("securityGroups", List.of("sg-1")));
        cluster.node(Map.of(LABEL, "broken"), Map.of(), List.of());
        assertThatThrownBy(this::chosen).isInstanceOf(EniPlacement.Unavailable.class)
                .hasMessageContaining("spec.subnet is required");
    }

    @Test
    void placementRefusesUntilTheClusterHasBeenRead() {
        // No node object: the ENIConfig cannot be chosen, and no ENI may go anywhere else meanwhile.
        link = later.add(cluster.link(true, false, new MutableClock(Instant.EPOCH)));
        EniPlacement placement = link.customNetworkingPlacement(null, "us-east-1a", List::of);
        assertThatThrownBy(() -> placement.place(10)).isInstanceOf(EniPlacement.Unavailable.class)
                .hasMessageContaining("not been read");
    }
}
