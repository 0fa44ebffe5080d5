package io.vpccni.it.vpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import io.vpccni.netlink.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;

/**
 * Prefix delegation end to end: two nodes with ENABLE_PREFIX_DELEGATION=true against the emulator, which delegates
 * real aligned /28s. Node p uses WARM_PREFIX_TARGET=1 (worked example: a whole free prefix kept warm), node q
 * WARM_IP_TARGET=5 with MINIMUM_IP_TARGET=10 (prefixes sized to address targets). Pods get addresses out of their
 * node's prefixes and reach each other across nodes without NAT, through the fabric's /28 routes.
 */
@Tag("privileged")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrefixDelegationTest {

    private static final int PODS_ON_P = 18; // more than one /28 holds
    private VpcBox box;
    private SimulatedNodeNs p;
    private SimulatedNodeNs q;
    private final List<PodNs> onP = new ArrayList<>();
    private final List<PodNs> onQ = new ArrayList<>();

    @BeforeAll
    void startBox() throws Exception {
        Shell.require("root".equals(System.getProperty("user.name")), "namespaces need root");
        Shell.require(Files.isExecutable(Path.of("../cni/target/plugin/bin/vpc-cni")), "packaged plugin missing");
        box = VpcBox.start(List.of(
                new VpcBox.NodeSpec("p", "t3.medium", Map.of("ENABLE_PREFIX_DELEGATION", "true",
                        "WARM_PREFIX_TARGET", "1", "IP_COOLDOWN_PERIOD", "0")),
                new VpcBox.NodeSpec("q", "t3.medium", Map.of("ENABLE_PREFIX_DELEGATION", "true",
                        "WARM_IP_TARGET", "5", "MINIMUM_IP_TARGET", "10", "IP_COOLDOWN_PERIOD", "0"))),
                line -> System.out.println("[vpc] " + line));
        p = box.nodes().get(0);
        q = box.nodes().get(1);
        p.cni().runPluginDirectly();
        for (int i = 1; i <= PODS_ON_P; i++) {
            onP.add(box.addPod("p" + i, p));
        }
        for (int i = 1; i <= 3; i++) {
            onQ.add(box.addPod("q" + i, q));
        }
        box.reconciler().awaitNextPass();
    }

    @AfterAll
    void closeBox() {
        if (box != null) {
            box.close();
        }
    }

    @Test
    @Order(1)
    void everyPodsAddressLiesInAPrefixDelegatedToAnEniOfItsNode() {
        Set<String> seen = new HashSet<>();
        for (PodNs pod : box.pods()) {
            assertThat(seen.add(pod.ip())).as("%s's address %s is unique", pod.name(), pod.ip()).isTrue();
            NetworkInterface eni = prefixOwner(pod.ip());
            assertThat(eni.attachment().instanceId()).as("instance of the ENI holding %s", pod.name())
                    .isEqualTo(pod.node().instanceId());
            assertThat(eni.attachment().deviceIndex()).isEqualTo(pod.deviceIndex());
        }
        assertThat(prefixesOf(p)).as("p holds more than one prefix for %d pods", PODS_ON_P).hasSizeGreaterThan(1);
        assertThat(secondaryAddressesOf(p)).as("p uses prefixes only").isEmpty();
    }

    @Test
    @Order(2)
    void podsReachEachOtherAcrossNodesWithoutNat() throws Exception {
        for (PodNs from : List.of(onP.getFirst(), onP.getLast(), onQ.getFirst())) {
            for (PodNs to : List.of(onP.get(1), onP.get(PODS_ON_P - 2), onQ.getLast())) {
                if (from != to) {
                    assertThat(from.reach(to.ip())).as("%s -> %s", from.name(), to.name()).isEqualTo(from.ip());
                }
            }
        }
    }

    @Test
    @Order(3)
    void theAddressTargetsOfQAreMetWithPrefixes() {
        // 3 pods, WARM_IP_TARGET 5, MINIMUM_IP_TARGET 10: at least 10 addresses and 5 free, in whole /28s.
        List<String> prefixes = prefixesOf(q);
        assertThat(prefixes.size() * 16).isGreaterThanOrEqualTo(Math.max(10, onQ.size() + 5));
        assertThat(prefixes.size() * 16 - 16).as("no prefix more than needed").isLessThan(Math.max(10, onQ.size() + 5));
    }

    @Test
    @Order(4)
    void aRestartedDaemonRestoresItsPrefixesAndHandsOutNoAddressTwice() throws Exception {
        List<String> before = prefixesOf(p);
        p.ipamd().kill();
        p.ipamd().start(Duration.ofSeconds(90));
        assertThat(prefixesOf(p)).containsAll(before);
        PodNs added = box.addPod("p-after-restart", p);
        onP.add(added);
        List<String> held = box.pods().stream().map(PodNs::ip).toList();
        assertThat(new HashSet<>(held)).hasSameSizeAs(held);
        assertThat(prefixOwner(added.ip()).attachment().instanceId()).isEqualTo(p.instanceId());
        assertThat(added.reach(onQ.getFirst().ip())).isEqualTo(added.ip());
    }

    @Test
    @Order(5)
    void onlyAnEmptyPrefixIsReleased() throws Exception {
        // Empty every prefix but the one holding the first pod, and take one pod out of that one too: it is then
        // partly free but not empty, and must stay while empty ones go down to WARM_PREFIX_TARGET.
        String kept = prefixContaining(p, onP.getFirst().ip());
        List<PodNs> stay = new ArrayList<>();
        for (PodNs pod : List.copyOf(onP)) {
            if (pod != onP.getFirst() && (!prefixContaining(p, pod.ip()).equals(kept) || stay.size() >= 10)) {
                box.removePod(pod);
                onP.remove(pod);
            } else {
                stay.add(pod);
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (prefixesOf(p).size() > 2 && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        List<String> left = prefixesOf(p);
        assertThat(left).as("the prefix with pods plus one warm prefix").hasSize(2).contains(kept);
        for (PodNs pod : onP) {
            assertThat(prefixContaining(p, pod.ip())).as("%s's prefix is still delegated", pod.name()).isIn(left);
            assertThat(pod.reach(onQ.getFirst().ip())).isEqualTo(pod.ip());
        }
    }

    @Test
    @Order(6)
    void inAFragmentedSubnetTheNodeFallsBackToSecondaryAddressesAndSaysSo() throws Exception {
        fragmentSubnetOf(p);
        List<PodNs> added = new ArrayList<>();
        PodNs onSingle = null;
        for (int i = 0; i < 40 && onSingle == null; i++) {
            PodNs pod = box.addPod("p-frag" + i, p);
            added.add(pod);
            if (secondaryAddressesOf(p).contains(pod.ip())) {
                onSingle = pod;
            }
        }
        assertThat(onSingle).as("a pod got a secondary /32 once no /28 was free").isNotNull();
        List<String> held = box.pods().stream().map(PodNs::ip).toList();
        assertThat(new HashSet<>(held)).hasSameSizeAs(held);
        assertThat(onSingle.reach(onQ.getFirst().ip())).as("a /32 pod reaches another node").isEqualTo(onSingle.ip());
        assertThat(onQ.getFirst().reach(onSingle.ip())).isEqualTo(onQ.getFirst().ip());
        assertThat(p.ipamd().status().stdout()).contains("prefix fallback active", "InsufficientCidrBlocks");

        // Restore and DEL with both kinds on the node's ENIs: restart, then remove the /32 pod and a prefix pod.
        p.ipamd().kill();
        p.ipamd().start(Duration.ofSeconds(90));
        PodNs again = box.addPod("p-frag-after-restart", p);
        assertThat(new HashSet<>(box.pods().stream().map(PodNs::ip).toList())).hasSize(box.pods().size());
        box.removePod(onSingle);
        box.removePod(added.getFirst());
        assertThat(again.reach(onQ.getFirst().ip())).isEqualTo(again.ip());
        String rules = p.namespace().ip("-4", "rule");
        assertThat(rules).doesNotContain(onSingle.ip() + " ").doesNotContain(added.getFirst().ip() + " ");
    }

    /** Takes one address in every aligned /28 of the node's subnet that is still wholly free: single addresses
     * remain, no /28 does (EC2 then answers InsufficientCidrBlocks). */
    private void fragmentSubnetOf(SimulatedNodeNs node) {
        var ec2 = box.ec2();
        String subnetId = enisOf(node).getFirst().subnetId();
        IpPrefix cidr = IpPrefix.parse(ec2.describeSubnets(b -> b.subnetIds(subnetId)).subnets().getFirst()
                .cidrBlock());
        Set<Long> taken = new HashSet<>();
        for (NetworkInterface eni : ec2.describeNetworkInterfaces(b -> b.filters(f -> f.name("subnet-id")
                .values(subnetId))).networkInterfaces()) {
            eni.privateIpAddresses().forEach(a -> taken.add(Ipv4Address.parse(a.privateIpAddress()).unsigned()));
            eni.ipv4Prefixes().forEach(x -> {
                long start = Ipv4Address.of(IpPrefix.parse(x.ipv4Prefix()).address()).unsigned();
                for (long a = start; a < start + 16; a++) {
                    taken.add(a);
                }
            });
        }
        long first = Ipv4Address.of(cidr.address()).unsigned();
        long size = 1L << (32 - cidr.length());
        List<String> occupy = new ArrayList<>();
        for (long block = first; block < first + size; block += 16) {
            long b0 = block;
            boolean free = java.util.stream.LongStream.range(b0, b0 + 16).noneMatch(taken::contains);
            boolean reserved = block == first || block + 16 == first + size;
            if (free && !reserved) {
                occupy.add(Ipv4Address.of(cidr.address()).plus((int) (block - first) + 5).toInet().getHostAddress());
            }
        }
        for (int i = 0; i < occupy.size(); i += 50) {
            List<String> chunk = occupy.subList(i, Math.min(occupy.size(), i + 50));
            ec2.createNetworkInterface(b -> b.subnetId(subnetId).privateIpAddresses(chunk.stream().map(a ->
                    software.amazon.awssdk.services.ec2.model.PrivateIpAddressSpecification.builder()
                            .privateIpAddress(a).primary(a.equals(chunk.getFirst())).build()).toList()));
        }
    }

    private List<NetworkInterface> enisOf(SimulatedNodeNs node) {
        return box.ec2().describeNetworkInterfaces(b -> b.filters(f -> f.name("attachment.instance-id")
                .values(node.instanceId()))).networkInterfaces();
    }

    private List<String> prefixesOf(SimulatedNodeNs node) {
        return enisOf(node).stream().flatMap(e -> e.ipv4Prefixes().stream()).map(x -> x.ipv4Prefix()).toList();
    }

    private List<String> secondaryAddressesOf(SimulatedNodeNs node) {
        return enisOf(node).stream().flatMap(e -> e.privateIpAddresses().stream())
                .filter(a -> !Boolean.TRUE.equals(a.primary())).map(a -> a.privateIpAddress()).toList();
    }

    private String prefixContaining(SimulatedNodeNs node, String ip) {
        return prefixesOf(node).stream().filter(x -> Ipv4Cidr.parse(x).contains(Ipv4Address.parse(ip))).findFirst()
                .orElseThrow(() -> new AssertionError(ip + " is in no prefix of " + node.name()));
    }

    private NetworkInterface prefixOwner(String ip) {
        for (SimulatedNodeNs node : box.nodes()) {
            for (NetworkInterface eni : enisOf(node)) {
                if (eni.ipv4Prefixes().stream()
                        .anyMatch(x -> Ipv4Cidr.parse(x.ipv4Prefix()).contains(Ipv4Address.parse(ip)))) {
                    return eni;
                }
            }
        }
        throw new AssertionError(ip + " is in no delegated prefix");
    }
}
