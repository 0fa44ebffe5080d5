package io.vpccni.cni.dataplane;

import io.vpccni.cni.log.PluginLog;
import io.vpccni.cni.testing.NodeNamespace;
import io.vpccni.netlink.api.Link;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.api.Rule;
import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import io.vpccni.rpc.veth.HostVethName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link PodNetwork} against the kernel, in a node namespace and pod namespaces of our own. */
@Tag("privileged")
class PodNetworkTest {
    private static final String VETH = HostVethName.of("eni", "default", "pod-a");

    private ScratchNetns node;
    private ScratchNetns pod;
    private NetNs nodeNs;
    private NetNs podNs;
    private HostNamespace host;

    @BeforeEach
    void namespaces() {
        Shell.assumePrivileged();
        node = NodeNamespace.create();
        pod = NodeNamespace.pod();
        nodeNs = NetNs.named(node.name());
        podNs = NetNs.named(pod.name());
        host = HostNamespace.of(nodeNs);
    }

    @AfterEach
    void cleanUp() {
        if (podNs != null) {
            podNs.close();
            nodeNs.close();
        }
        if (pod != null) {
            pod.close();
            node.close();
        }
    }

    private Link setup(PodAttachment a) {
        try (Netlink nl = host.openNetlink()) {
            return PodNetwork.setup(host, nl, podNs, a, PluginLog.discard());
        }
    }

    @Test
    void buildsTheContractOfAPodOnThePrimaryEni() {
        Link veth = setup(new PodAttachment(VETH, "eth0", Ipv4Address.parse("10.0.0.10").toInet(), 254, 9001));

        assertThat(pod.ip("-4", "-o", "addr", "show", "dev", "eth0"))
                .contains("inet 10.0.0.10/32 scope global eth0");
        assertThat(pod.ip("route")).isEqualTo("""
                default via 169.254.1.1 dev eth0
                169.254.1.1 dev eth0 scope link""");
        assertThat(pod.ip("neigh", "show", "dev", "eth0"))
                .isEqualTo("169.254.1.1 lladdr " + veth.mac().orElseThrow() + " PERMANENT");
        assertThat(pod.ip("-o", "link", "show", "dev", "eth0")).contains("mtu 9001").contains("state UP");
        assertThat(pod.ip("-o", "link", "show", "dev", "lo")).contains("UP");
        assertThat(node.ip("route")).isEqualTo("10.0.0.10 dev " + VETH + " scope link");
        assertThat(node.ip("rule")).isEqualTo("""
                0:	from all lookup local
                512:	from all to 10.0.0.10 lookup main
                32766:	from all lookup main
                32767:	from all lookup default""");
        assertThat(node.ip("-o", "link", "show", "dev", VETH)).contains("mtu 9001").contains("state UP");
        assertThat(node.ip("-4", "addr", "show", "dev", VETH)).isEmpty();
        assertThat(node.exec("cat", "/proc/sys/net/ipv6/conf/" + VETH + "/accept_ra").stdout().strip())
                .isEqualTo("0");
        // aws-vpc-cni's veths have no transmit queue; the kernel default would be 1000.
        assertThat(node.run("cat", "/sys/class/net/" + VETH + "/tx_queue_len").strip()).isEqualTo("0");
        assertThat(pod.run("cat", "/sys/class/net/eth0/tx_queue_len").strip()).isEqualTo("0");
    }

    @Test
    void podsOnASecondaryEniGetTheFromRuleAt1536() {
        setup(new PodAttachment(VETH, "eth0", Ipv4Address.parse("10.0.1.20").toInet(), 3, 9001));

        assertThat(node.ip("rule")).isEqualTo("""
                0:	from all lookup local
                512:	from all to 10.0.1.20 lookup main
                1536:	from 10.0.1.20 lookup 3
                32766:	from all lookup main
                32767:	from all lookup default""");
    }

    @Test
    void aRepeatedSetupReplacesTheStaleHostVeth() {
        Link first = setup(new PodAttachment(VETH, "eth0", Ipv4Address.parse("10.0.0.10").toInet(), 254, 9001));
        try (ScratchNetns pod2 = NodeNamespace.pod(); NetNs pod2Ns = NetNs.named(pod2.name());
                Netlink nl = host.openNetlink()) {
            Link second = PodNetwork.setup(host, nl, pod2Ns, new PodAttachment(VETH, "eth0",
                    Ipv4Address.parse("10.0.0.10").toInet(), 254, 9001), PluginLog.discard());

            assertThat(second.index()).isNotEqualTo(first.index());
            assertThat(pod.ip("link")).doesNotContain("eth0");
            assertThat(pod2.ip("-4", "-o", "addr", "show", "dev", "eth0")).contains("10.0.0.10/32");
        }
    }

    @Test
    void teardownRemovesRulesRouteAndVethAndIsIdempotent() {
        setup(new PodAttachment(VETH, "eth0", Ipv4Address.parse("10.0.1.20").toInet(), 3, 9001));
        try (Netlink nl = host.openNetlink()) {
            assertThat(PodNetwork.teardown(nl, Ipv4Address.parse("10.0.1.20").toInet(), Optional.of(podNs), "eth0",
                    PluginLog.discard())).isTrue();
            assertThat(PodNetwork.teardown(nl, Ipv4Address.parse("10.0.1.20").toInet(), Optional.of(podNs), "eth0",
                    PluginLog.discard())).isFalse();
        }
        assertThat(node.ip("route")).isEmpty();
        assertThat(node.ip("rule")).doesNotContain("10.0.1.20");
        assertThat(node.ip("link")).doesNotContain(VETH);
        assertThat(pod.ip("link")).doesNotContain("eth0");
    }

    @Test
    void aFailureAfterTheVethExistsRemovesEverythingBuilt() {
        String before = node.snapshot();
        try (Netlink real = host.openNetlink()) {
            Netlink failingRules = failOn(real, "addRule");
            assertThatThrownBy(() -> PodNetwork.setup(host, failingRules, podNs,
                    new PodAttachment(VETH, "eth0", Ipv4Address.parse("10.0.1.20").toInet(), 3, 9001), PluginLog.discard()))
                    .isInstanceOf(NetlinkException.class);
        }
        assertThat(node.snapshot()).isEqualTo(before);
        assertThat(pod.ip("link")).doesNotContain("eth0");
    }

    /** The real Netlink, except that {@code method} fails as the kernel would refuse it. */
    private static Netlink failOn(Netlink real, String method) {
        return (Netlink) Proxy.newProxyInstance(Netlink.class.getClassLoader(), new Class<?>[] {Netlink.class},
                (proxy, m, args) -> {
                    if (m.getName().equals(method)) {
                        throw new NetlinkException(1, "RTM_NEWRULE " + (Rule) args[0] + " (injected)", null);
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
