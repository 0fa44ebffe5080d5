package io.vpccni.ipamd.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.AllocationKey;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.ipamd.datastore.PodRef;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which pods on the node are demand for WARM_POOL_FOR_BOUND_PODS. */
class PodsAwaitingAddTest {

    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    static PodInfo pod(String name, String uid, boolean hostNetwork, boolean finished, Optional<Instant> boundAt) {
        return new PodInfo("default", name, uid, Optional.empty(), hostNetwork, finished, boundAt);
    }

    static Allocation added(String name, String uid) {
        return new Allocation(new AllocationKey("aws-cni", "c-" + name, "eth0"), new PodRef("default", name, uid),
                Ipv4Address.parse("10.0.0.9"), NOW);
    }

    @Test
    void countsPodsOnThePodNetworkWithoutAnAddressBoundInTheWindow() {
        Optional<Instant> recently = Optional.of(NOW.minusSeconds(10));
        List<PodInfo> pods = List.of(
                pod("coming", "u1", false, false, recently),
                pod("coming-no-time", "u2", false, false, Optional.empty()),
                pod("added", "u3", false, false, recently),
                pod("host-network", "u4", true, false, recently),
                pod("done", "u5", false, true, recently),
                pod("stuck", "u6", false, false, Optional.of(NOW.minus(Duration.ofMinutes(6)))),
                pod("recreated", "new-uid", false, false, recently));

        int count = PodsAwaitingAdd.count(pods, List.of(added("added", "u3"), added("recreated", "old-uid")), NOW,
                PodsAwaitingAdd.WINDOW);

        assertThat(count).as("coming, coming-no-time and the StatefulSet pod recreated under its old name")
                .isEqualTo(3);
    }

    @Test
    void anAllocationWithoutAUidCoversThePodOfThatName() {
        List<PodInfo> pods = List.of(pod("migrated", "u1", false, false, Optional.empty()));

        assertThat(PodsAwaitingAdd.count(pods, List.of(added("migrated", "")), NOW, PodsAwaitingAdd.WINDOW)).isZero();
        assertThat(PodsAwaitingAdd.count(pods, List.of(), NOW, PodsAwaitingAdd.WINDOW)).isEqualTo(1);
    }
}
