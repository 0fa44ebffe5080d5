package io.vpccni.ipamd.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.ipamd.checkpoint.JsonFileCheckpointStore;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.AssignResult;
import io.vpccni.ipamd.datastore.RestoreReport;
import io.vpccni.ipamd.testing.FakeNode;
import io.vpccni.ipamd.warmpool.PoolTargets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart on the in-memory EC2: the new daemon learns its ENIs from EC2, then takes its assignments and cooldowns
 * back from the checkpoint (as NodeDaemon's restore does), keeping only those EC2 still backs.
 */
class CheckpointRestoreTest {

    @TempDir
    Path dir;

    private final FakeNode node = new FakeNode("t3.small", "10.20.3.0/24", PoolTargets.warmEni(1));

    private PoolCheckpoint checkpoint() {
        return new PoolCheckpoint(node.datastore, new JsonFileCheckpointStore(dir.resolve("ipam.json")));
    }

    private static Map<String, String> ipsByContainer(List<Allocation> allocations) {
        return allocations.stream().collect(Collectors.toMap(a -> a.key().containerId(), a -> a.ip().toString()));
    }

    private RestoreReport restart() {
        node.restart();
        return node.datastore.restore(checkpoint().read().orElseThrow());
    }

    @Test
    void assignmentsAndCooldownsSurviveARestartOnTheSameAddressesAndEnis() {
        node.addPods("p", 5);
        node.settle();
        node.release("p4");
        checkpoint().persist();
        Map<String, String> before = ipsByContainer(node.datastore.allocations());
        String cooling = node.datastore.snapshot().cooling().getFirst().ip().toString();

        RestoreReport report = restart();

        assertThat(report.rejected()).isEmpty();
        assertThat(report.coolingRestored()).isEqualTo(1);
        assertThat(ipsByContainer(node.datastore.allocations())).isEqualTo(before);
        assertThat(node.datastore.allocations()).allSatisfy(a -> assertThat(node.datastore.locate(a.ip()))
                .hasValueSatisfying(eni -> assertThat(node.ec2Enis()).filteredOn(e -> e.id().equals(eni.eniId()))
                        .singleElement().satisfies(e -> assertThat(e.secondaryIps()).contains(a.ip().toString()))));
        for (int i = 0; i < 4; i++) {
            AssignResult result = node.assign("new" + i);
            assertThat(result).isInstanceOfSatisfying(AssignResult.Assigned.class, assigned -> assertThat(
                    assigned.ip().toString()).isNotIn(before.values()).isNotEqualTo(cooling));
        }
    }

    @Test
    void anAssignmentWhoseAddressEc2NoLongerHoldsIsDroppedAtRestore() {
        node.addPods("p", 3);
        checkpoint().persist();
        String lost = node.datastore.find(FakeNode.key("p0")).orElseThrow().ip().toString();
        // While the daemon is down, someone unassigns the address in EC2.
        node.ec2.unassignPrivateIpAddresses(node.ec2Enis().getFirst().id(), List.of(lost));

        RestoreReport report = restart();

        assertThat(report.rejected()).extracting(a -> a.key().containerId()).containsExactly("p0");
        assertThat(report.restored()).extracting(a -> a.key().containerId()).containsExactlyInAnyOrder("p1", "p2");
        assertThat(node.datastore.find(FakeNode.key("p0"))).isEmpty();
    }

    @Test
    void withoutACheckpointFileThereIsNothingToRestore() {
        assertThat(checkpoint().read()).isEmpty();
    }
}
