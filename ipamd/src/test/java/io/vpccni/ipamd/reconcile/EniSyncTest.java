package io.vpccni.ipamd.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.model.Eni;
import io.vpccni.eni.port.Ec2Api.CreateEni;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.pool.NodeEni;
import io.vpccni.ipamd.testing.FakeNode;
import io.vpccni.ipamd.warmpool.PoolTargets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reconciliation with EC2 on the in-memory EC2: EC2 is the truth for which ENIs and addresses the node has, instance
 * metadata for when the instance sees an attachment. Node: t3.small (3 ENIs, 3 secondary slots each).
 */
class EniSyncTest {

    private final FakeNode node = new FakeNode("t3.small", "10.20.2.0/24", PoolTargets.warmEni(1));

    private Eni foreignEni(int secondaryIps, Map<String, String> tags) {
        return node.ec2.createNetworkInterface(new CreateEni(node.subnetId, "attached by hand", List.of(),
                secondaryIps, 0, tags));
    }

    private String ipOf(String containerId) {
        return node.datastore.find(FakeNode.key(containerId)).map(a -> a.ip().toString()).orElseThrow();
    }

    @Test
    void atStartTheNodeTakesOverTheEnisAndAddressesEc2Reports() {
        node.addPods("p", 5);
        node.settle();

        node.restart();

        assertThat(node.startup.enisAdded()).containsExactlyInAnyOrderElementsOf(
                node.ec2Enis().stream().map(Eni::id).toList());
        assertThat(node.enis.all()).extracting(NodeEni::primary).containsExactly(true, false, false);
        assertThat(node.datastoreCidrs()).isEqualTo(node.ec2Cidrs()).hasSize(9);
        assertThat(node.datastore.allocations()).as("assignments come from the checkpoint, not EC2").isEmpty();
    }

    @Test
    void anEniAttachedButNotYetInInstanceMetadataIsTakenOverOnALaterSync() {
        node.ec2.attachmentLatency(Duration.ofSeconds(5));
        Eni eni = foreignEni(2, Map.of());
        node.ec2.attachNetworkInterface(eni.id(), node.instanceId, 1);

        assertThat(node.syncWithEc2().enisAdded()).isEmpty();
        assertThat(node.enis.get(eni.id())).isEmpty();

        node.clock.advance(Duration.ofSeconds(5));
        EniSync.Changes later = node.syncWithEc2();

        assertThat(later.enisAdded()).containsExactly(eni.id());
        assertThat(later.cidrsAdded()).isEqualTo(2);
        assertThat(node.datastoreCidrs()).containsAll(eni.secondaryIps().stream().map(ip -> ip + "/32").toList());
    }

    @Test
    void anEniDetachedBehindIpamdsBackIsDroppedWithTheAssignmentsOnIt() {
        node.addPods("p", 5);
        node.settle();
        Eni second = node.ec2Enis().get(1);
        long podsOnIt = node.datastore.allocations().stream()
                .filter(a -> second.secondaryIps().contains(a.ip().toString())).count();
        assertThat(podsOnIt).isPositive();

        node.ec2.detachNetworkInterface(second.attachmentId().orElseThrow(), true);
        EniSync.Changes changes = node.syncWithEc2();

        assertThat(changes.enisRemoved()).containsExactly(second.id());
        assertThat(changes.assignmentsLost()).isEqualTo((int) podsOnIt);
        assertThat(node.datastoreCidrs()).isEqualTo(node.ec2Cidrs());
        assertThat(node.enis.get(second.id())).isEmpty();
    }

    @Test
    void anAddressUnassignedOutsideIpamdLeavesThePoolAndItsPodLosesIt() {
        node.addPods("p", 2);
        Eni primary = node.ec2Enis().getFirst();
        String taken = ipOf("p0");

        node.ec2.unassignPrivateIpAddresses(primary.id(), List.of(taken));
        EniSync.Changes changes = node.syncWithEc2();

        assertThat(changes.cidrsRemoved()).isEqualTo(1);
        assertThat(changes.assignmentsLost()).isEqualTo(1);
        assertThat(node.datastore.find(FakeNode.key("p0"))).isEmpty();
        assertThat(node.datastore.allocations()).extracting(Allocation::ip).extracting(Object::toString)
                .containsExactly(ipOf("p1"));
        assertThat(node.datastoreCidrs()).isEqualTo(node.ec2Cidrs());
    }

    @Test
    void addressesAssignedOutsideIpamdJoinThePool() {
        node.settle();
        Eni primary = node.ec2Enis().getFirst();
        node.ec2.unassignPrivateIpAddresses(primary.id(), primary.secondaryIps().subList(0, 2));
        node.syncWithEc2();
        List<String> added = node.ec2.assignPrivateIpAddresses(primary.id(), 2);

        EniSync.Changes changes = node.syncWithEc2();

        assertThat(changes.cidrsAdded()).isEqualTo(2);
        assertThat(node.datastoreCidrs()).containsAll(added.stream().map(ip -> ip + "/32").toList())
                .isEqualTo(node.ec2Cidrs());
    }

    @Test
    void aNoManageEniOnlyTakesADeviceSlot() {
        Eni unmanaged = foreignEni(2, Map.of(Eni.NO_MANAGE_TAG, "true"));
        node.ec2.attachNetworkInterface(unmanaged.id(), node.instanceId, 2);

        EniSync.Changes changes = node.syncWithEc2();

        assertThat(changes.enisAdded()).isEmpty();
        assertThat(node.enis.unmanagedCount()).isEqualTo(1);
        assertThat(node.enis.usedDeviceIndexes()).contains(2);
        assertThat(node.datastoreCidrs()).doesNotContainAnyElementsOf(
                unmanaged.secondaryIps().stream().map(ip -> ip + "/32").toList());
    }
}
