package io.vpccni.it.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vpccni.ipamd.app.NodeDaemon;
import io.vpccni.it.localstack.LocalStack;
import io.vpccni.it.localstack.TestVpc;
import io.vpccni.netlink.testing.Await;
import io.vpccni.netlink.testing.ClosedAfterAll;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.transport.IpamClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * WARM_POOL_FOR_BOUND_PODS on the emulator with a (mock) API server: two real daemons on t3.medium nodes (3 ENIs of
 * 5 pod addresses) at WARM_ENI_TARGET=0 hold the primary's 5 addresses; 12 pods are bound to each. The node with
 * the setting has addresses for all 12 in its pool before any ADD is sent; the node without it still holds 5 when
 * the ADDs come, and grows only as they find the pool empty. Both end with every pod added.
 */
@ExtendWith(ClosedAfterAll.class) // before the mock server: closes the daemons after it has stopped
@EnableKubernetesMockClient(crud = true)
class BoundPodsTest {

    private static final int PODS = 12;

    KubernetesClient client;
    ClosedAfterAll.Later later;
    final Ec2Client raw = LocalStack.rawClient();

    @Test
    void podsBoundToTheNodeHaveTheirAddressesInThePoolBeforeTheirAddsOnlyWithTheSetting() throws Exception {
        TestVpc vpc = TestVpc.create(raw);
        later.add(vpc);
        String subnet = vpc.subnetWithBlock(vpc.cidr().replace(".0.0/16", ".1.0/24"));
        Node seeing = node(vpc, subnet, "ip-bound", true);
        Node blind = node(vpc, subnet, "ip-static", false);
        await(() -> seeing.daemon.view().poolStats().total() == 5 && blind.daemon.view().poolStats().total() == 5,
                "both pools at WARM_ENI_TARGET=0: the primary's 5 addresses");

        Map<String, String> uids = new java.util.HashMap<>();
        for (int i = 0; i < PODS; i++) {
            uids.put(seeing.name + "-pod-" + i, bind(seeing.name, i));
            uids.put(blind.name + "-pod-" + i, bind(blind.name, i));
        }
        await(() -> seeing.daemon.view().poolStats().available() >= PODS, "the bound pods' addresses in the pool");
        // The node without the setting has had as long, and two more of its 5 s ticks, to do the same.
        Thread.sleep(Duration.ofSeconds(11));
        assertThat(blind.daemon.view().poolStats().total()).as("without the setting the pool does not see them coming")
                .isEqualTo(5);
        assertThat(seeing.daemon.maintainer().lastDemand().pods()).as("pods bound, not yet added").isEqualTo(PODS);

        for (Node node : List.of(seeing, blind)) {
            for (int i = 0; i < PODS; i++) {
                String pod = node.name + "-pod-" + i;
                assertThat(node.add(pod, uids.get(pod))).as(pod).isInstanceOf(AddOk.class);
            }
        }
        await(() -> seeing.daemon.maintainer().lastDemand().pods() == 0, "every bound pod added");
    }

    /** Returns the uid the API server gave the pod, which its ADD carries. */
    private String bind(String nodeName, int i) {
        return client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata()
                .withName(nodeName + "-pod-" + i).withNamespace("default").endMetadata()
                .withNewSpec().withNodeName(nodeName).addNewContainer().withName("app").withImage("app").endContainer()
                .endSpec().build()).create().getMetadata().getUid();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        if (!Await.until(condition, Duration.ofSeconds(90), Duration.ofMillis(200))) {
            throw new AssertionError("not within 90 s: " + what);
        }
    }

    private Node node(TestVpc vpc, String subnet, String name, boolean forBoundPods) throws Exception {
        LinkedDaemon.Started started = LinkedDaemon.onNewNode(client, raw, vpc, subnet, name, "t3.medium",
                Map.of("WARM_ENI_TARGET", "0", "WARM_POOL_FOR_BOUND_PODS", Boolean.toString(forBoundPods),
                        "VPC_CNI_ADD_WAIT", "20s"), later);
        return new Node(name, started.daemon(), started.ipam());
    }

    private record Node(String name, NodeDaemon daemon, IpamClient client) {
        Object add(String pod, String uid) throws Exception {
            return client.call(new AddRequest("aws-cni", pod, "eth0", "/var/run/netns/" + pod, "default", pod, uid));
        }
    }
}
