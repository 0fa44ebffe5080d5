package io.vpccni.ipamd.app;

import io.vpccni.ipamd.checkpoint.JsonFileCheckpointStore;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.state.PoolCheckpoint;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.socket.KernelNetlink;
import io.vpccni.netlink.testing.ScratchNamespaces;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.rpc.veth.HostVethName;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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

    @RegisterExtension
    final ScratchNamespaces namespaces = new ScratchNamespaces("vpccni-adopt");

    private ScratchNetns node;
    private Netlink netlink;

    @BeforeEach
    void namespace() {
        node = namespaces.create();
        NetNs nodeNs = namespaces.closeFirst(NetNs.named(node.name()));
        netlink = namespaces.closeFirst(KernelNetlink.openIn(nodeNs));
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
        // Exactly what aws-vpc-cni v1.21 writes (Go's field order, unix-nano timestamps, interfacesCount), for
        // web-0, dns-1 and gone-2.
        try (var in = getClass().getResourceAsStream("aws-node-v1.21-ipam.json")) {
            Files.write(file, in.readAllBytes());
        }

        List<Allocation> saved = new PoolCheckpoint(new Datastore(Clock.systemUTC(), Duration.ofSeconds(30)),
                new JsonFileCheckpointStore(file)).read().orElseThrow().allocations();
        List<Allocation> wired = saved.stream().filter(new HostVeths(netlink, "eni")::stillWired).toList();

        assertThat(saved).hasSize(3);
        assertThat(wired).extracting(a -> a.key().containerId() + " " + a.pod().namespace() + "/" + a.pod().name()
                + " " + a.ip()).containsExactly("aaaa default/web-0 10.0.0.10", "bbbb kube-system/dns-1 10.0.1.20");
    }
}
