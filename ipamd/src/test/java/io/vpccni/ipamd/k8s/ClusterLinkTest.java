package io.vpccni.ipamd.k8s;

import static io.vpccni.ipamd.k8s.MockCluster.LABEL;
import static io.vpccni.ipamd.k8s.MockCluster.NODE;
import static io.vpccni.ipamd.k8s.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.MutableClock;
import io.vpccni.ipamd.pool.PoolEvents;
import io.vpccni.ipamd.warmpool.NodeCondition;
import io.vpccni.ipamd.warmpool.PoolAction;
import io.vpccni.netlink.testing.ClosedAfterAll;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ClosedAfterAll.class) // before the mock server: closes the links after it has stopped
@EnableKubernetesMockClient(crud = true)
class ClusterLinkTest {

    static final Taint CORDONED = new Taint("NoSchedule", "node.kubernetes.io/unschedulable", null, null);

    KubernetesClient client;
    MockCluster cluster;
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    Hooks daemon = new Hooks();
    KubernetesLink link;
    ClosedAfterAll.Later later;

    @BeforeEach
    void cluster() {
        cluster = new MockCluster(client);
    }

    private KubernetesLink started(boolean customNetworking, boolean annotate) {
        link = later.add(cluster.link(customNetworking, annotate, clock));
        link.start(daemon.hooks());
        await(() -> link.cluster().node().isPresent() && link.cluster().podsOnNode().isPresent() && link.watching(),
                "node and pods read, watches open");
        return link;
    }

    private List<Event> events(String reason) {
        return client.v1().events().inNamespace(KubernetesLink.EVENT_NAMESPACE).list().getItems().stream()
                .filter(e -> e.getReason().equals(reason)).toList();
    }

    @Test
    void unschedulableTaintBecomesTheConditionAndGoesAwayWithIt() {
        cluster.node(Map.of(), Map.of(), List.of(CORDONED));
        started(false, false);
        await(() -> link.conditions().equals(java.util.Set.of(NodeCondition.UNSCHEDULABLE)), "UNSCHEDULABLE");

        cluster.node(Map.of(), Map.of(), List.of(new Taint("NoSchedule", "dedicated", null, "gpu")));
        await(() -> link.conditions().isEmpty(), "no condition once uncordoned");
    }

    @Test
    void deletedPodsAddressIsReleasedOnlyAfterTheGracePeriodAndOnceItsVethIsGone() {
        cluster.node(Map.of(), Map.of(), List.of());
        Allocation web1 = MockCluster.allocation("shop", "web-1", cluster.pod("shop", "web-1", NODE), "10.0.1.11");
        Allocation web2 = MockCluster.allocation("shop", "web-2", cluster.pod("shop", "web-2", NODE), "10.0.1.12");
        daemon.allocations.addAll(List.of(web1, web2));
        daemon.veths.add("shop/web-2"); // web-2's runtime has not torn its network down yet
        started(false, false);

        link.reconcileOnce();
        assertThat(daemon.released).as("both pods exist").isEmpty();

        cluster.deletePod("shop", "web-1");
        cluster.deletePod("shop", "web-2");
        await(() -> link.cluster().podsOnNode().orElseThrow().isEmpty(), "deletions seen");
        link.reconcileOnce();
        clock.advance(MockCluster.MANUAL.podGrace().minusSeconds(1));
        link.reconcileOnce();
        assertThat(daemon.released).as("within the grace period").isEmpty();

        clock.advance(Duration.ofSeconds(1));
        link.reconcileOnce();
        assertThat(daemon.released).containsExactly(web1.key());
        assertThat(daemon.allocations).as("its veth still exists").containsExactly(web2);
    }

    @Test
    void podsOfOtherNodesAndRecreatedPodsAreToldApart() {
        cluster.node(Map.of(), Map.of(), List.of());
        cluster.pod("shop", "db-0", NODE); // a StatefulSet pod recreated under the same name: a new uid
        Allocation oldDb = MockCluster.allocation("shop", "db-0", "uid-of-the-old-db-0", "10.0.1.20");
        Allocation api = MockCluster.allocation("shop", "api", cluster.pod("shop", "api", "another-node"),
                "10.0.1.21");
        daemon.allocations.addAll(List.of(oldDb, api));
        started(false, false);
        assertThat(link.cluster().podsOnNode().orElseThrow()).extracting(PodInfo::name).containsExactly("db-0");

        link.reconcileOnce();
        clock.advance(MockCluster.MANUAL.podGrace());
        link.reconcileOnce();
        assertThat(daemon.released).containsExactlyInAnyOrder(oldDb.key(), api.key());
    }

    @Test
    void annotatePodIpWritesThePodsAddressAnnotation() {
        cluster.node(Map.of(), Map.of(), List.of());
        daemon.allocations.add(MockCluster.allocation("shop", "web-1", cluster.pod("shop", "web-1", NODE),
                "10.0.1.11"));
        started(false, true);

        link.reconcileOnce();
        assertThat(client.pods().inNamespace("shop").withName("web-1").get().getMetadata().getAnnotations())
                .containsEntry(PodReconciler.POD_IPS_ANNOTATION, "10.0.1.11");
    }

    @Test
    void poolFailuresBecomeNodeEventsOncePerWindow() {
        cluster.node(Map.of(), Map.of(), List.of());
        started(false, false);
        PoolEvents pool = link.poolEvents();
        PoolAction create = new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 10);
        for (int tick = 0; tick < 5; tick++) {
            pool.failed(create, new Ec2Failure.PermissionDenied("CreateNetworkInterface", "UnauthorizedOperation",
                    "not authorized", null));
            pool.failed(create, new Ec2Failure.SubnetFull("CreateNetworkInterface",
                    "InsufficientFreeAddressesInSubnet", "no free addresses", null));
            pool.failed(create, new Ec2Failure.Throttled("CreateNetworkInterface", "RequestLimitExceeded", "slow", null));
        }
        await(() -> events(NodeEvent.SUBNET_EXHAUSTED).size() == 1, "subnet event");
        await(() -> events(NodeEvent.MISSING_IAM_PERMISSION).size() == 1, "IAM event");
        Event iam = events(NodeEvent.MISSING_IAM_PERMISSION).getFirst();
        assertThat(iam.getType()).isEqualTo("Warning");
        assertThat(iam.getInvolvedObject().getKind()).isEqualTo("Node");
        assertThat(iam.getInvolvedObject().getName()).isEqualTo(NODE);
        assertThat(iam.getMessage()).contains("ec2:CreateNetworkInterface");

        clock.advance(MockCluster.MANUAL.eventWindow());
        pool.failed(create, new Ec2Failure.PermissionDenied("CreateNetworkInterface", "UnauthorizedOperation",
                "not authorized", null));
        await(() -> events(NodeEvent.MISSING_IAM_PERMISSION).size() == 2, "the problem reported again after the window");
    }

    @Test
    void aPrefixFallbackIsOneWarningEventPerWindowNamingInsufficientCidrBlocks() {
        cluster.node(Map.of(), Map.of(), List.of());
        started(false, false);
        PoolEvents pool = link.poolEvents();
        Instant retry = Instant.parse("2025-01-01T12:02:00Z");

        pool.fellBackToSecondaryIps(new PoolAction.AllocateIps("eni-0", 9), retry);
        pool.fellBackToSecondaryIps(new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 7), retry);

        await(() -> events(NodeEvent.PREFIX_FALLBACK).size() == 1, "fallback event");
        Event fallback = events(NodeEvent.PREFIX_FALLBACK).getFirst();
        assertThat(fallback.getType()).isEqualTo("Warning");
        assertThat(fallback.getReason()).isEqualTo("PrefixFallbackToSecondaryIPs");
        assertThat(fallback.getInvolvedObject().getName()).isEqualTo(NODE);
        assertThat(fallback.getMessage()).contains("InsufficientCidrBlocks")
                .contains("9 secondary IPs assigned to eni-0").contains("2025-01-01T12:02:00Z");
        assertThat(events(NodeEvent.SUBNET_EXHAUSTED)).isEmpty();
    }

    @Test
    void eniLimitAndInvalidEniConfigAreReportedOnceAcrossTicks() {
        cluster.node(Map.of(LABEL, "missing"), Map.of(), List.of());
        daemon.full = true;
        started(true, false);
        await(() -> link.cluster().eniConfig("missing").isPresent(), "ENIConfigs read");
        for (int tick = 0; tick < 4; tick++) {
            link.reconcileOnce();
        }
        await(() -> events(NodeEvent.ENI_LIMIT_REACHED).size() == 1 && events(NodeEvent.INVALID_ENI_CONFIG).size() == 1,
                "one event each");
        assertThat(events(NodeEvent.INVALID_ENI_CONFIG).getFirst().getMessage()).contains("ENIConfig missing");
    }
}
