package io.vpccni.ipamd.app;

import io.vpccni.ipamd.checkpoint.JsonFileCheckpointStore;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.state.PoolCheckpoint;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import io.vpccni.rpc.HostVethName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ipamd starting on a node aws-node v1.21 ran: the checkpoint it wrote and the host veths of its pods, read the way
 * {@link NodeDaemon} restores them; a pod whose veth is gone (deleted while neither daemon ran) is dropped.
 */
@Tag("privileged")
class AwsNodeCheckpointAdoptionPrivilegedTest {
    @TempDir
    Path dir;

    private ScratchNetns node;
    private NetNs nodeNs;
    private Netlink netlink;

    @BeforeEach
    void namespace() {
        Shell.assumePrivileged();
        node = ScratchNetns.create("vpccni-adopt");
        nodeNs = NetNs.named(node.name());
        netlink = Netlink.openIn(nodeNs);
    }

    @AfterEach
    void cleanUp() {
        if (netlink != null) {
            netlink.close();
            nodeNs.close();
            node.close();
        }
    }

    /** The host end of a pod's pair as aws-vpc-cni leaves it (txqueuelen 0, up); the pod end stays here too. */
    private void awsNodeVeth(String namespace, String pod, int n) {
        String veth = HostVethName.of("eni", namespace, pod);
        node.ip("link", "add", veth, "txqueuelen", "0", "type", "veth", "peer", "name", "pod" + n, "txqueuelen", "0");
        node.ip("link", "set", veth, "up");
    }

    @Test
    void keepsTheAssignmentsOfPodsWhoseVethsAwsNodeLeftAndDropsTheOthers() throws Exception {
        awsNodeVeth("default", "web-0", 0);
        awsNodeVeth("kube-system", "dns-1", 1);
        Path file = dir.resolve("ipam.json");
        // Exactly what aws-vpc-cni v1.21 writes: Go's field order, unix-nano timestamps, interfacesCount.
        Files.writeString(file, """
                {"version":"vpc-cni-ipam/1","allocations":[\
                {"networkName":"aws-cni","containerID":"aaaa","ifName":"eth0","ipv4":"10.0.0.10",\
                "allocationTimestamp":1764000000000000000,\
                "metadata":{"k8sPodNamespace":"default","k8sPodName":"web-0","interfacesCount":1}},\
                {"networkName":"aws-cni","containerID":"bbbb","ifName":"eth0","ipv4":"10.0.1.20",\
                "allocationTimestamp":1764000001000000000,\
                "metadata":{"k8sPodNamespace":"kube-system","k8sPodName":"dns-1","interfacesCount":1}},\
                {"networkName":"aws-cni","containerID":"cccc","ifName":"eth0","ipv4":"10.0.1.21",\
                "allocationTimestamp":1764000002000000000,\
                "metadata":{"k8sPodNamespace":"default","k8sPodName":"gone-2","interfacesCount":1}}]}
                """);

        List<Allocation> saved = new PoolCheckpoint(new Datastore(Clock.systemUTC(), Duration.ofSeconds(30)),
                new JsonFileCheckpointStore(file)).read().orElseThrow().allocations();
        List<Allocation> wired = saved.stream().filter(new HostVeths(netlink, "eni")::stillWired).toList();

        assertThat(saved).hasSize(3);
        assertThat(wired).extracting(a -> a.key().containerId() + " " + a.pod().namespace() + "/" + a.pod().name()
                + " " + a.ip()).containsExactly("aaaa default/web-0 10.0.0.10", "bbbb kube-system/dns-1 10.0.1.20");
    }
}
