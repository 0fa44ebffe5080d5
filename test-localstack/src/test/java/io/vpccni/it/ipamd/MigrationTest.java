package io.vpccni.it.ipamd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.rpc.message.AddOk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A node moving from aws-node: the checkpoint aws-vpc-cni wrote is adopted, its pods keep their addresses. */
class MigrationTest {

    @Test
    void adoptsTheCheckpointAwsVpcCniWrote() throws Exception {
        try (SimulatedNode node = new SimulatedNode("m5.large", Map.of()).start()) {
            node.settle(() -> node.daemon.view().poolStats().total() == 9);
            List<String> ips = node.daemon.view().enis().getFirst().eni().secondaryIps();
            node.daemon.close();
            // Exactly what aws-vpc-cni v1.23 writes: no fields of ours, Go's field order, unix-nano timestamps.
            Files.writeString(Path.of(node.env.get("AWS_VPC_K8S_CNI_BACKING_STORE")), """
                    {"version":"vpc-cni-ipam/1","allocations":[\
                    {"networkName":"aws-cni","containerID":"aaaa","ifName":"eth0","ipv4":"%s",\
                    "allocationTimestamp":1764000000000000000,\
                    "metadata":{"k8sPodNamespace":"default","k8sPodName":"web-0","interfacesCount":1}},\
                    {"networkName":"aws-cni","containerID":"bbbb","ifName":"eth0","ipv4":"%s",\
                    "allocationTimestamp":1764000001000000000,\
                    "metadata":{"k8sPodNamespace":"kube-system","k8sPodName":"dns-1","interfacesCount":1}}]}
                    """.formatted(ips.get(3), ips.get(5)));

            node.start();

            assertThat(node.daemon.view().allocations()).extracting(a -> a.key().containerId() + "=" + a.ip())
                    .containsExactlyInAnyOrder("aaaa=" + ips.get(3), "bbbb=" + ips.get(5));
            assertThat(node.daemon.view().allocations()).extracting(Allocation::pod)
                    .extracting(p -> p.namespace() + "/" + p.name())
                    .containsExactlyInAnyOrder("default/web-0", "kube-system/dns-1");
            AddOk again = node.add("aaaa");
            assertThat(again.ipv4Address()).isEqualTo(ips.get(3));
            assertThat(Files.readString(Path.of(node.env.get("AWS_VPC_K8S_CNI_BACKING_STORE"))))
                    .startsWith("{\"version\":\"vpc-cni-ipam/1\",\"allocations\":[");
        }
    }
}
