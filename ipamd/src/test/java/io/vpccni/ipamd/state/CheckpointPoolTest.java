package io.vpccni.ipamd.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.port.Ec2Api.EniQuery;
import io.vpccni.ipamd.checkpoint.JsonFileCheckpointStore;
import io.vpccni.ipamd.datastore.EniInfo;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import io.vpccni.ipamd.testing.FakeNode;
import io.vpccni.ipamd.warmpool.PoolTargets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool in the checkpoint, which a restarted daemon serves from before EC2 answers: written with every persist,
 * read back as it was, absent from aws-node's file, and never listing an address the node has started to give back
 * to EC2 (the maintainer's shrink on the in-memory EC2, the checkpoint written from Datastore#whenAddressesLeave).
 */
class CheckpointPoolTest {

    @TempDir
    Path dir;

    private final FakeNode node = new FakeNode("t3.small", "10.20.5.0/24", PoolTargets.warmIp(2, 0));

    private PoolCheckpoint checkpoint() {
        return new PoolCheckpoint(node.datastore, new JsonFileCheckpointStore(dir.resolve("ipam.json")));
    }

    private static Set<String> cidrs(PoolCheckpoint.Saved saved) {
        return saved.pool().stream().flatMap(e -> e.cidrs().stream()).map(Ipv4Cidr::toString)
                .collect(Collectors.toSet());
    }

    @Test
    void thePoolIsWrittenAndReadBackWithEachEnisDeviceSubnetAndCidrs() {
        node.addPods("p", 5);
        node.settle();
        PoolCheckpoint checkpoint = checkpoint();

        checkpoint.persist();
        PoolCheckpoint.Saved saved = checkpoint.readSaved().orElseThrow();

        assertThat(saved.pool()).extracting(PoolCheckpoint.SavedEni::eni).containsExactlyElementsOf(node.datastore.enis());
        assertThat(cidrs(saved)).isEqualTo(Set.copyOf(node.datastoreCidrs()));
        assertThat(saved.assignments().allocations()).hasSize(5);
    }

    @Test
    void aws_nodesFileWithoutThePoolReadsAsNoPool() throws Exception {
        Files.writeString(dir.resolve("ipam.json"), "{\"version\":\"vpc-cni-ipam/1\",\"allocations\":[{\"networkName\":"
                + "\"aws-cni\",\"containerID\":\"c1\",\"ifName\":\"eth0\",\"ipv4\":\"10.20.5.9\",\"allocationTimestamp\":1,"
                + "\"metadata\":{\"k8sPodNamespace\":\"default\",\"k8sPodName\":\"a\"}}]}\n");

        PoolCheckpoint.Saved saved = checkpoint().readSaved().orElseThrow();

        assertThat(saved.pool()).isEmpty();
        assertThat(saved.assignments().allocations()).hasSize(1);
    }

    @Test
    void addressesGoingBackToEc2HaveLeftTheCheckpointBeforeTheCallThatGivesThemBack() {
        node.addPods("p", 6);
        node.settle();
        PoolCheckpoint checkpoint = checkpoint();
        List<String> violations = new ArrayList<>();
        Set<String> everLeft = new HashSet<>();
        node.datastore.whenAddressesLeave(() -> {
            checkpoint.persist();
            Set<String> recorded = cidrs(checkpoint.readSaved().orElseThrow());
            Set<String> onEc2 = Set.copyOf(node.ec2Cidrs());
            Set<String> left = new HashSet<>(onEc2);
            left.removeAll(recorded);
            everLeft.addAll(left);
            // Whatever the checkpoint still records must still be EC2's: nothing it lists has been given back yet.
            recorded.stream().filter(c -> !onEc2.contains(c)).forEach(c -> violations.add(c + " recorded, not on EC2"));
        });
        for (int i = 0; i < 6; i++) {
            node.release("p" + i);
        }
        node.clock.advance(FakeNode.COOLDOWN.plusSeconds(1));
        for (int i = 0; i < 10; i++) {
            node.settle();
            node.clock.advance(Duration.ofSeconds(31));
        }

        assertThat(node.ec2Enis()).as("the pool shrank to one ENI").hasSize(1);
        assertThat(everLeft).as("addresses left the checkpoint while EC2 still held them").isNotEmpty();
        assertThat(violations).isEmpty();
        assertThat(cidrs(checkpoint.readSaved().orElseThrow())).isEqualTo(Set.copyOf(node.ec2Cidrs()));
    }

    @Test
    void anEniTheCheckpointRecordsButEc2NoLongerAttachesLeavesThePoolAtTheNextSync() {
        node.datastore.putEni(new EniInfo("eni-gone", 2, false, Ipv4Cidr.parse("10.20.5.0/24"),
                Ipv4Address.parse("10.20.5.200"), FakeNode.T0));
        node.datastore.addCidr("eni-gone", Ipv4Cidr.parse("10.20.5.201/32"));

        var changes = node.syncWithEc2();

        assertThat(changes.enisRemoved()).containsExactly("eni-gone");
        assertThat(node.datastore.enis()).extracting(EniInfo::eniId).doesNotContain("eni-gone");
        assertThat(node.ec2.describeNetworkInterfaces(EniQuery.byIds(List.of()))).hasSize(1);
    }
}
