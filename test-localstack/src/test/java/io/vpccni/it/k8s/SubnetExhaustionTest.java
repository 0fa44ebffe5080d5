package io.vpccni.it.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vpccni.ipamd.k8s.NodeEvent;
import io.vpccni.it.localstack.LocalStack;
import io.vpccni.it.localstack.TestVpc;
import io.vpccni.netlink.testing.Await;
import io.vpccni.netlink.testing.ClosedAfterAll;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.Failure;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.ReasonCode;
import io.vpccni.rpc.transport.IpamClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * A subnet that really runs out, without fault injection: two real daemons share a /27 in the emulator (27 usable
 * addresses; the emulator refuses with EC2's InsufficientFreeAddressesInSubnet when none is left). Pods are added
 * on both nodes until an add fails; it must fail with the subnet-exhausted reason and the node's event, and once
 * pods are deleted adds work again.
 */
@ExtendWith(ClosedAfterAll.class) // before the mock server: closes the daemons after it has stopped
@EnableKubernetesMockClient(crud = true)
class SubnetExhaustionTest {

    private static final int USABLE = 32 - 5;

    KubernetesClient client;
    ClosedAfterAll.Later later;
    final Ec2Client raw = LocalStack.rawClient();

    @Test
    void addsFailWithTheSubnetExhaustedReasonAndEventUntilPodsGo() throws Exception {
        TestVpc vpc = TestVpc.create(raw);
        later.add(vpc);
        String subnet = vpc.subnetWithBlock(vpc.cidr().replace(".0.0/16", ".0.0/27"));
        List<Node> nodes = List.of(node(vpc, subnet, "ip-a"), node(vpc, subnet, "ip-b"));

        List<String> pods = new ArrayList<>();
        Failure refused = null;
        for (int i = 0; refused == null && i < USABLE; i++) {
            Node node = nodes.get(i % 2);
            String pod = node.name + "-pod" + i;
            IpamReply reply = node.add(pod);
            if (reply instanceof AddOk) {
                pods.add(pod);
            } else {
                refused = (Failure) reply;
            }
        }
        assertThat(refused).as("an add was refused before %d pods", USABLE).isNotNull();
        assertThat(refused.reason()).isEqualTo(ReasonCode.POOL_EMPTY_SUBNET_EXHAUSTED);
        assertThat(refused.message()).contains("InsufficientFreeAddressesInSubnet");
        assertThat(available(subnet)).as("free addresses left in the subnet").isLessThan(10);
        assertThat(pods.size()).as("pods placed before the subnet ran out").isGreaterThan(USABLE / 2);
        // The node's event is posted by the daemon's event reporter, not within the add: wait for it, bounded.
        Await.until(() -> warnings().contains(NodeEvent.SUBNET_EXHAUSTED), Duration.ofSeconds(15),
                Duration.ofMillis(100));
        assertThat(warnings()).contains(NodeEvent.SUBNET_EXHAUSTED);

        Node full = nodes.get(pods.size() % 2);
        for (String pod : List.copyOf(pods)) {
            nodes.get(pod.startsWith("ip-a") ? 0 : 1).del(pod);
        }
        // A deleted pod's address cools down for IP_COOLDOWN_PERIOD (1 s here) and an add waits VPC_CNI_ADD_WAIT.
        assertThat(full.add(full.name + "-after")).as("an add once pods are gone").isInstanceOf(AddOk.class);
        // Beyond WARM_IP_TARGET the nodes give addresses back: the subnet has room again.
        Await.until(() -> available(subnet) >= 10, Duration.ofSeconds(60), Duration.ofMillis(500));
        assertThat(available(subnet)).as("free addresses in the subnet once pods are gone").isGreaterThanOrEqualTo(10);
    }

    private int available(String subnet) {
        return raw.describeSubnets(b -> b.subnetIds(subnet)).subnets().getFirst().availableIpAddressCount();
    }

    private List<String> warnings() {
        List<String> reasons = new ArrayList<>();
        for (Event event : client.v1().events().inAnyNamespace().list().getItems()) {
            reasons.add(event.getReason());
        }
        return reasons;
    }

    private Node node(TestVpc vpc, String subnet, String name) throws Exception {
        // One address warm at a time, so the two nodes take the subnet's addresses one pod at a time.
        LinkedDaemon.Started started = LinkedDaemon.onNewNode(client, raw, vpc, subnet, name, "t3.medium",
                Map.of("WARM_IP_TARGET", "1", "VPC_CNI_ADD_WAIT", "3s", "IP_COOLDOWN_PERIOD", "1"), later);
        return new Node(name, started.ipam());
    }

    private record Node(String name, IpamClient client) {
        IpamReply add(String pod) throws Exception {
            return client.call(new AddRequest("aws-cni", pod, "eth0", "/var/run/netns/" + pod, "default", pod,
                    "uid-" + pod));
        }

        void del(String pod) throws Exception {
            client.call(new DelRequest("aws-cni", pod, "eth0", "default", pod, "uid-" + pod));
        }
    }
}
