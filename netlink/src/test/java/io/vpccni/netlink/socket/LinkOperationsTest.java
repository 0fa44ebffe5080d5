package io.vpccni.netlink.socket;

import io.vpccni.netlink.api.Link;
import io.vpccni.netlink.api.LinkSpec;
import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.testing.ScratchNamespaces;
import io.vpccni.netlink.testing.ScratchNetns;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Optional;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Links in two scratch namespaces A and B, checked with our own reads and with {@code ip}. */
@Tag("privileged")
class LinkOperationsTest {
    private static final MacAddress PEER_MAC = MacAddress.parse("02:00:0a:00:00:05");

    @RegisterExtension
    final ScratchNamespaces namespaces = new ScratchNamespaces("vpccni-nltest");

    private ScratchNetns a;
    private ScratchNetns b;
    private NetNs nsA;
    private NetNs nsB;
    private Netlink inA;
    private Netlink inB;

    @BeforeEach
    void createNamespaces() {
        a = namespaces.create();
        b = namespaces.create();
        nsA = namespaces.closeFirst(NetNs.named(a.name()));
        nsB = namespaces.closeFirst(NetNs.named(b.name()));
        inA = namespaces.closeFirst(KernelNetlink.openIn(nsA));
        inB = namespaces.closeFirst(KernelNetlink.openIn(nsB));
    }

    @Test
    void vethPeerIsCreatedDirectlyInTheOtherNamespace() {
        Link host = inA.addLink(LinkSpec.Veth.of("vhost0", "eth0").withMtu(9001).withPeerMac(PEER_MAC).withPeerIn(nsB));

        assertThat(host.name()).isEqualTo("vhost0");
        assertThat(host.kind()).contains("veth");
        assertThat(host.mtu()).isEqualTo(9001);
        assertThat(a.ip("-o", "link", "show")).contains("vhost0").doesNotContain("eth0");
        assertThat(b.ip("-o", "link", "show", "dev", "eth0")).contains("mtu 9001").contains(PEER_MAC.toString());
        assertThat(inB.linkByName("eth0")).get()
                .satisfies(l -> assertThat(l.mac()).contains(PEER_MAC))
                .satisfies(l -> assertThat(l.kind()).contains("veth"));
        assertThat(inA.linkByName("eth0")).isEmpty();
    }

    @Test
    void aVethsTransmitQueueLengthIsSetOnBothEnds() {
        inA.addLink(LinkSpec.Veth.of("q0", "eth0").withTxQueueLen(0).withPeerIn(nsB));
        inA.addLink(LinkSpec.Veth.of("d0", "d1"));

        assertThat(a.run("cat", "/sys/class/net/q0/tx_queue_len").strip()).isEqualTo("0");
        assertThat(b.run("cat", "/sys/class/net/eth0/tx_queue_len").strip()).isEqualTo("0");
        assertThat(a.run("cat", "/sys/class/net/d0/tx_queue_len").strip()).isEqualTo("1000");
    }

    @Test
    void listsLinksIncludingLoopback() {
        inA.addLink(LinkSpec.Veth.of("v0", "v1"));
        assertThat(inA.links()).extracting(Link::name).contains("lo", "v0", "v1");
    }

    @Test
    void findsALinkByMac() {
        inA.addLink(LinkSpec.Veth.of("v0", "v1").withPeerMac(PEER_MAC));
        assertThat(inA.linkByMac(PEER_MAC)).map(Link::name).contains("v1");
        assertThat(inA.linkByMac(MacAddress.parse("02:ff:ff:ff:ff:ff"))).isEmpty();
    }

    @Test
    void setsMtuAndUpDown() {
        Link v0 = inA.addLink(LinkSpec.Veth.of("v0", "v1"));
        inA.setMtu(v0.index(), 1400);
        inA.setLinkUp(v0.index());

        assertThat(inA.linkByIndex(v0.index())).get()
                .satisfies(l -> assertThat(l.mtu()).isEqualTo(1400))
                .satisfies(l -> assertThat(l.up()).isTrue());
        assertThat(a.ip("-o", "link", "show", "dev", "v0")).contains("mtu 1400").containsPattern("<[^>]*\\bUP\\b");

        inA.setLinkDown(v0.index());
        assertThat(inA.linkByIndex(v0.index())).map(Link::up).contains(false);
    }

    @Test
    void movesALinkToAnotherNamespaceAndRenamesItThere() {
        inA.addLink(LinkSpec.Veth.of("v0", "v1"));
        int v1 = inA.linkByName("v1").orElseThrow().index();

        inA.moveLink(v1, nsB);

        assertThat(inA.linkByName("v1")).isEmpty();
        Link moved = inB.linkByName("v1").orElseThrow();
        inB.renameLink(moved.index(), "eth0");
        assertThat(b.ip("-o", "link", "show")).contains("eth0").doesNotContain("v1");
    }

    @Test
    void deletingOneEndOfAVethRemovesBoth() {
        Link host = inA.addLink(LinkSpec.Veth.of("vhost0", "eth0").withPeerIn(nsB));
        inA.deleteLink(host.index());
        assertThat(inA.linkByName("vhost0")).isEmpty();
        assertThat(inB.linkByName("eth0")).isEmpty();
    }

    @Test
    void deletingAMissingLinkIsNoSuchLink() {
        assertThatThrownBy(() -> inA.deleteLink(99999))
                .isInstanceOf(NetlinkException.NoSuchLink.class)
                .hasMessageStartingWith("RTM_DELLINK index 99999: No such device (ENODEV)");
    }

    @Test
    void missingLinksAreEmptyNotErrors() {
        assertThat(inA.linkByName("nope0")).isEmpty();
        assertThat(inA.linkByIndex(99999)).isEmpty();
    }

    @Test
    void creatingAnExistingNameIsAlreadyExists() {
        inA.addLink(LinkSpec.Veth.of("v0", "v1"));
        assertThatThrownBy(() -> inA.addLink(LinkSpec.Veth.of("v0", "v2")))
                .isInstanceOf(NetlinkException.AlreadyExists.class)
                .hasMessageContaining("RTM_NEWLINK veth v0 peer v2: File exists (EEXIST)");
    }

    @Test
    void aSocketOpenedInANamespaceServesAnyThreadIncludingVirtualOnes() throws Exception {
        inA.addLink(LinkSpec.Veth.of("v0", "v1"));
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Optional<Link> seen = executor.submit(() -> inA.linkByName("v0")).get();
            assertThat(seen).isPresent();
        }
        // The process's own namespace never saw it.
        try (Netlink root = KernelNetlink.open()) {
            assertThat(root.linkByName("v0")).isEmpty();
        }
    }
}
