package io.vpccni.it.ipamd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.model.Eni;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.Failure;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.ReasonCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * ENIs attached behind the daemon's back take the instance's last slots: the daemon learns of the limit from EC2
 * itself (AttachmentLimitExceeded, from the emulator's instance-type limits), deletes the ENI it had just created,
 * counts the ENIs that are not its own so that it stops planning ENIs EC2 would refuse, reports the limit to pods,
 * and grows again once the slots are free.
 */
class EniLimitFromEc2Test {

    @Test
    void theLastSlotsTakenBehindTheDaemonsBackAreRefusedByEc2AndNothingLeaks() throws Exception {
        Map<String, String> settings = Map.of("WARM_ENI_TARGET", "0", "WARM_IP_TARGET", "1", "VPC_CNI_ADD_WAIT", "2s",
                "IP_COOLDOWN_PERIOD", "0");
        try (SimulatedNode node = new SimulatedNode("m5.large", settings).start()) {
            node.settle(() -> node.daemon.view().poolStats().total() >= 1);
            List<String> outsiders = new ArrayList<>();
            for (int device = 1; device <= 2; device++) {
                // Tagged no_manage as an operator's own ENI would be: the daemon must never touch it.
                String id = node.raw.createNetworkInterface(b -> b.subnetId(node.subnetId).tagSpecifications(t -> t
                        .resourceType("network-interface").tags(Tag.builder().key(Eni.NO_MANAGE_TAG).value("true")
                                .build()))).networkInterface().networkInterfaceId();
                int index = device;
                node.raw.attachNetworkInterface(b -> b.networkInterfaceId(id).instanceId(node.instance.instanceId())
                        .deviceIndex(index));
                outsiders.add(id);
            }

            List<String> pods = new ArrayList<>();
            Failure refused = null;
            for (int i = 0; i < 12 && refused == null; i++) {
                IpamReply reply = node.tryAdd("p" + i);
                if (reply instanceof AddOk) {
                    pods.add("p" + i);
                } else {
                    refused = (Failure) reply;
                }
            }
            assertThat(refused).as("an add is refused once the primary ENI is full").isNotNull();
            assertThat(pods).as("the primary ENI's nine secondary addresses").hasSize(9);
            assertThat(refused.reason()).isEqualTo(ReasonCode.POOL_EMPTY_ENI_LIMIT);
            long creates = node.stats.calls("CreateNetworkInterface");
            assertThat(creates).as("creates tried").isPositive();
            for (int i = 0; i < 5; i++) {
                node.tick();
            }
            assertThat(node.stats.calls("CreateNetworkInterface")).as("no ENI created once EC2 said the slots are "
                    + "taken").isEqualTo(creates);
            assertThat(ours(node)).as("ENIs of ours in the emulator: only the primary").hasSize(1);
            assertThat(outsiders).allSatisfy(id -> assertThat(node.raw.describeNetworkInterfaces(b -> b
                    .networkInterfaceIds(id)).networkInterfaces().getFirst().attachment().instanceId())
                    .isEqualTo(node.instance.instanceId()));

            for (String id : outsiders) {
                String attachment = node.raw.describeNetworkInterfaces(b -> b.networkInterfaceIds(id))
                        .networkInterfaces().getFirst().attachment().attachmentId();
                node.raw.detachNetworkInterface(b -> b.attachmentId(attachment));
                node.raw.deleteNetworkInterface(b -> b.networkInterfaceId(id));
            }
            // The daemon sees the slots free at its next look at EC2: its periodic ENI sync, or here a restart.
            node.restart();
            node.settle(() -> node.daemon.view().enis().size() == 2);
            assertThat(node.tryAdd("after")).isInstanceOf(AddOk.class);
        }
    }

    private static List<NetworkInterface> ours(SimulatedNode node) {
        return node.raw.describeNetworkInterfaces(b -> b.filters(f -> f.name("subnet-id").values(node.subnetId)))
                .networkInterfaces().stream().filter(n -> n.tagSet().stream()
                        .noneMatch(t -> t.key().equals(Eni.NO_MANAGE_TAG))).toList();
    }
}
