package io.vpccni.it.ipamd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.ipamd.pool.NodeEni;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.DelOk;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The real daemon against the EC2 emulator: warm targets reached, held without EC2 calls, grown and shrunk. */
class WarmPoolTest {

    @Test
    void emptyNodeReachesWarmEniTargetAndThenMakesNoMoreEc2Calls() throws Exception {
        try (SimulatedNode node = new SimulatedNode("m5.large", Map.of()).start()) {
            node.settle(() -> node.daemon.view().poolStats().total() == 9);
            long calls = poolCalls(node);
            for (int i = 0; i < 3; i++) {
                node.tick();
            }

            assertThat(poolCalls(node)).isEqualTo(calls);
            assertThat(node.stats.calls("AssignPrivateIpAddresses")).isEqualTo(1);
            assertThat(node.stats.calls("CreateNetworkInterface")).isZero();
            assertThat(node.daemon.view().enis()).hasSize(1);
        }
    }

    /** EC2 calls the pool makes; the subnet free-address check (DescribeSubnets, once a minute) is not one. */
    private static long poolCalls(SimulatedNode node) {
        return node.stats.totalCalls() - node.stats.calls("DescribeSubnets");
    }

    @Test
    void assigningPastTheWarmTargetAttachesAnotherEniAndEveryPodGetsItsOwnAddress() throws Exception {
        try (SimulatedNode node = new SimulatedNode("m5.large", Map.of()).start()) {
            node.settle(() -> node.daemon.view().poolStats().total() == 9);
            Set<String> addresses = new HashSet<>();
            for (int i = 0; i < 12; i++) {
                AddOk ok = node.add("c" + i);
                addresses.add(ok.ipv4Address());
            }
            node.settle(() -> node.daemon.view().poolStats().available() >= 9);

            // WARM_ENI_TARGET=1 keeps a whole ENI's worth (9) free: 12 pods need 21 addresses, three ENIs.
            assertThat(addresses).hasSize(12);
            assertThat(node.daemon.view().enis()).hasSize(3);
            NodeEni secondary = node.daemon.view().enis().get(1);
            assertThat(secondary.eni().deviceIndex()).isEqualTo(1);
            assertThat(node.stats.calls("CreateNetworkInterface")).isEqualTo(2);
            assertThat(node.stats.calls("AttachNetworkInterface")).isEqualTo(2);
            // Subnet discovery's list is reused between ENIs: 2 calls for it, 1 for the subnet free-address check.
            assertThat(node.stats.calls("DescribeSubnets")).isLessThanOrEqualTo(3);
            AddOk onSecondary = node.daemon.view().allocations().stream()
                    .filter(a -> secondary.eni().secondaryIps().contains(a.ip().toString())).findFirst()
                    .map(a -> { try { return node.add(a.key().containerId()); } catch (Exception e) {
                        throw new AssertionError(e); } })
                    .orElseThrow();
            assertThat(onSecondary.routeTableId()).isEqualTo(2);
            assertThat(onSecondary.deviceNumber()).isEqualTo(1);
        }
    }

    @Test
    void releasedAddressesShrinkThePoolAfterCooldownWithWarmIpTarget() throws Exception {
        try (SimulatedNode node = new SimulatedNode("m5.large",
                Map.of("WARM_IP_TARGET", "2", "IP_COOLDOWN_PERIOD", "1")).start()) {
            node.settle(() -> node.daemon.view().poolStats().total() == 2);
            List<String> pods = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                node.add("p" + i);
                pods.add("p" + i);
            }
            node.settle(() -> node.daemon.view().poolStats().total() == 7);
            for (String pod : pods) {
                assertThat(node.del(pod)).isInstanceOf(DelOk.class);
            }
            assertThat(node.daemon.view().poolStats().cooling()).isEqualTo(5);

            Thread.sleep(1100); // IP_COOLDOWN_PERIOD is whole seconds; the datastore's own clock is real here
            node.settle(() -> node.daemon.view().poolStats().total() == 2);

            assertThat(node.stats.calls("UnassignPrivateIpAddresses")).isBetween(1L, 2L);
            assertThat(node.daemon.view().enis().getFirst().eni().secondaryIps()).hasSize(2);
        }
    }

    @Test
    void addIsIdempotentAndDelOfAnUnknownAttachmentSucceeds() throws Exception {
        try (SimulatedNode node = new SimulatedNode("m5.large", Map.of()).start()) {
            node.settle(() -> node.daemon.view().poolStats().total() == 9);

            AddOk first = node.add("same");
            AddOk again = node.add("same");

            assertThat(again.ipv4Address()).isEqualTo(first.ipv4Address());
            assertThat(node.daemon.view().poolStats().assigned()).isEqualTo(1);
            assertThat(node.del("never-added")).isEqualTo(DelOk.nothingReleased());
        }
    }

    @Test
    void assignmentsAndCooldownsSurviveARestart() throws Exception {
        try (SimulatedNode node = new SimulatedNode("m5.large", Map.of("IP_COOLDOWN_PERIOD", "600")).start()) {
            node.settle(() -> node.daemon.view().poolStats().total() == 9);
            AddOk kept = node.add("kept");
            node.add("gone");
            node.del("gone");

            node.restart();

            assertThat(node.add("kept").ipv4Address()).isEqualTo(kept.ipv4Address());
            assertThat(node.daemon.view().poolStats().assigned()).isEqualTo(1);
            assertThat(node.daemon.view().poolStats().cooling()).isEqualTo(1);
        }
    }
}
