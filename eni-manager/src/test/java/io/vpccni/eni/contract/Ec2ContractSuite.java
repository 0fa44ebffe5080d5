package io.vpccni.eni.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.Subnet;
import io.vpccni.eni.port.Ec2Api;
import io.vpccni.eni.port.Ec2Api.CreateEni;
import io.vpccni.eni.port.Ec2Api.EniQuery;
import io.vpccni.eni.port.Ec2Api.SubnetQuery;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * EC2's behaviour as its API reference documents it, for every implementation of {@link Ec2Api} the project tests
 * with: the emulator (LocalStack with the project's fidelity layer) and the in-memory EC2 of fast unit tests. Each
 * test names the documented behaviour it checks; error codes are EC2's own.
 */
public abstract class Ec2ContractSuite {

    /** m5.large: 3 network interfaces, 10 IPv4 addresses per interface (DescribeInstanceTypes). */
    protected static final String INSTANCE_TYPE = "m5.large";

    protected Ec2World world;
    protected Ec2Api ec2;

    /** A fresh world for each test: a VPC of its own. */
    protected abstract Ec2World newWorld();

    @BeforeEach
    void openWorld() {
        world = newWorld();
        ec2 = world.api();
    }

    @AfterEach
    void closeWorld() {
        world.close();
    }

    @Test
    void addressesAreUniqueAcrossEnisAndNeverAwsReserved() {
        String subnet = world.createSubnet(block(0, 24));
        world.runInstance(subnet, INSTANCE_TYPE);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            Eni eni = ec2.createNetworkInterface(create(subnet, 9, 0));
            seen.add(eni.primaryIp());
            seen.addAll(eni.secondaryIps());
        }
        for (Eni eni : ec2.describeNetworkInterfaces(EniQuery.byIds(List.of()))) {
            if (eni.subnetId().equals(subnet) && eni.isAttached()) {
                seen.add(eni.primaryIp()); // the instance's primary
            }
        }
        assertThat(seen).hasSize(241).doesNotHaveDuplicates();
        long base = address(world.vpcCidr().split("/")[0]);
        for (String ip : seen) {
            long offset = address(ip) - base;
            assertThat(offset).as(ip + " in the subnet").isBetween(0L, 255L);
            assertThat(offset).as(ip + " is not one of AWS's reserved addresses").isBetween(4L, 254L);
        }
    }

    @Test
    void availableAddressCountIsTheTrueFreeCount() {
        // A /24: addresses are spread over the subnet as on EC2, and a smaller one can leave no /28 free.
        String subnet = world.createSubnet(block(1, 24));
        assertThat(available(subnet)).isEqualTo(256 - 5);
        world.runInstance(subnet, INSTANCE_TYPE);
        assertThat(available(subnet)).isEqualTo(250);
        Eni eni = ec2.createNetworkInterface(create(subnet, 3, 0));
        assertThat(available(subnet)).isEqualTo(246);
        ec2.unassignPrivateIpAddresses(eni.id(), List.of(eni.secondaryIps().getFirst()));
        assertThat(available(subnet)).isEqualTo(247);
        ec2.deleteNetworkInterface(eni.id());
        assertThat(available(subnet)).isEqualTo(250);
        ec2.createNetworkInterface(create(subnet, 0, 1));
        assertThat(available(subnet)).as("a prefix takes 16 addresses, its ENI's primary one more").isEqualTo(233);
    }

    @Test
    void aFullSubnetRefusesWithInsufficientFreeAddressesAndRecoversWhenAddressesAreFreed() {
        String subnet = world.createSubnet(block(2, 28)); // 16 - 5 reserved = 11
        world.runInstance(subnet, INSTANCE_TYPE);
        Eni eni = ec2.createNetworkInterface(create(subnet, 9, 0));
        assertThat(available(subnet)).isZero();
        assertThatThrownBy(() -> ec2.createNetworkInterface(create(subnet, 0, 0)))
                .isInstanceOfSatisfying(Ec2Failure.SubnetFull.class,
                        f -> assertThat(f.errorCode()).isEqualTo("InsufficientFreeAddressesInSubnet"));
        assertThatThrownBy(() -> ec2.assignPrivateIpAddresses(eni.id(), 1))
                .isInstanceOfSatisfying(Ec2Failure.SubnetFull.class,
                        f -> assertThat(f.errorCode()).isEqualTo("InsufficientFreeAddressesInSubnet"));
        ec2.unassignPrivateIpAddresses(eni.id(), eni.secondaryIps().subList(0, 2));
        assertThat(ec2.assignPrivateIpAddresses(eni.id(), 2)).hasSize(2);
    }

    @Test
    void prefixesAreAlignedSlash28sOutsideEveryOtherAddress() {
        // A /22: single addresses are spread over the subnet as on EC2, so a small subnet can leave no /28 free.
        String subnet = world.createSubnet(block(4, 22));
        world.runInstance(subnet, INSTANCE_TYPE);
        Eni singles = ec2.createNetworkInterface(create(subnet, 9, 0));
        Eni eni = ec2.createNetworkInterface(create(subnet, 0, 2));
        assertThat(eni.prefixes()).hasSize(2);
        List<String> added = ec2.assignIpv4Prefixes(eni.id(), 1);
        assertThat(added).as("AssignPrivateIpAddresses answers only what it assigned").hasSize(1);
        Eni described = describe(eni.id());
        assertThat(described.prefixes()).containsExactlyInAnyOrderElementsOf(concat(eni.prefixes(), added));
        assertThat(described.secondaryIps()).isEmpty();
        Set<Long> singlesAddresses = new HashSet<>();
        for (String ip : concat(List.of(singles.primaryIp(), eni.primaryIp()), singles.secondaryIps())) {
            singlesAddresses.add(address(ip));
        }
        Set<Long> prefixStarts = new HashSet<>();
        for (String prefix : described.prefixes()) {
            String[] parts = prefix.split("/");
            assertThat(parts[1]).isEqualTo("28");
            long start = address(parts[0]);
            assertThat(start % 16).as(prefix + " is aligned").isZero();
            assertThat(prefixStarts.add(start)).as(prefix + " is handed out once").isTrue();
            for (long a = start; a < start + 16; a++) {
                assertThat(singlesAddresses).as(prefix + " holds no address of an ENI").doesNotContain(a);
            }
        }
        ec2.unassignIpv4Prefixes(eni.id(), added);
        assertThat(describe(eni.id()).prefixes()).containsExactlyInAnyOrderElementsOf(eni.prefixes());
    }

    @Test
    void noAlignedFreeSlash28AnswersInsufficientCidrBlocksWhileSingleAddressesRemain() {
        // In a /27 both aligned /28s hold a reserved address (the first four, the last): none can be delegated.
        String subnet = world.createSubnet(block(4, 27));
        assertThatThrownBy(() -> ec2.createNetworkInterface(create(subnet, 0, 1)))
                .isInstanceOfSatisfying(Ec2Failure.SubnetFull.class,
                        f -> assertThat(f.errorCode()).isEqualTo("InsufficientCidrBlocks"));
        Eni eni = ec2.createNetworkInterface(create(subnet, 1, 0));
        assertThatThrownBy(() -> ec2.assignIpv4Prefixes(eni.id(), 1))
                .isInstanceOfSatisfying(Ec2Failure.SubnetFull.class,
                        f -> assertThat(f.errorCode()).isEqualTo("InsufficientCidrBlocks"));
        assertThat(available(subnet)).isEqualTo(32 - 5 - 2);
    }

    @Test
    void attachingPastTheInstanceTypesInterfaceLimitAnswersAttachmentLimitExceeded() {
        String subnet = world.createSubnet(block(5, 24));
        String instance = world.runInstance(subnet, INSTANCE_TYPE);
        for (int device = 1; device <= 2; device++) {
            Eni eni = ec2.createNetworkInterface(create(subnet, 0, 0));
            assertThat(ec2.attachNetworkInterface(eni.id(), instance, device)).startsWith("eni-attach-");
        }
        Eni fourth = ec2.createNetworkInterface(create(subnet, 0, 0));
        assertThatThrownBy(() -> ec2.attachNetworkInterface(fourth.id(), instance, 3))
                .isInstanceOfSatisfying(Ec2Failure.LimitExceeded.class,
                        f -> assertThat(f.errorCode()).isEqualTo("AttachmentLimitExceeded"));
        assertThat(describe(fourth.id()).isAttached()).isFalse();
    }

    @Test
    void aDeviceIndexInUseIsRefused() {
        String subnet = world.createSubnet(block(6, 24));
        String instance = world.runInstance(subnet, INSTANCE_TYPE);
        Eni first = ec2.createNetworkInterface(create(subnet, 0, 0));
        ec2.attachNetworkInterface(first.id(), instance, 1);
        Eni second = ec2.createNetworkInterface(create(subnet, 0, 0));
        assertThatThrownBy(() -> ec2.attachNetworkInterface(second.id(), instance, 1))
                .isInstanceOfSatisfying(Ec2Failure.class,
                        f -> assertThat(f.errorCode()).isEqualTo("InvalidParameterValue"));
        assertThat(ec2.attachNetworkInterface(second.id(), instance, 2)).isNotBlank();
    }

    @Test
    void addressesAndPrefixesPastThePerInterfaceLimitAnswerPrivateIpAddressLimitExceeded() {
        String subnet = world.createSubnet(block(4, 22));
        String instance = world.runInstance(subnet, INSTANCE_TYPE);
        Eni ips = ec2.createNetworkInterface(create(subnet, 9, 0));
        ec2.attachNetworkInterface(ips.id(), instance, 1);
        assertThatThrownBy(() -> ec2.assignPrivateIpAddresses(ips.id(), 1))
                .isInstanceOfSatisfying(Ec2Failure.LimitExceeded.class,
                        f -> assertThat(f.errorCode()).isEqualTo("PrivateIpAddressLimitExceeded"));
        Eni prefixes = ec2.createNetworkInterface(create(subnet, 0, 8));
        ec2.attachNetworkInterface(prefixes.id(), instance, 2);
        assertThat(ec2.assignIpv4Prefixes(prefixes.id(), 1)).hasSize(1); // primary + 9 prefixes: 10 slots
        assertThatThrownBy(() -> ec2.assignIpv4Prefixes(prefixes.id(), 1))
                .isInstanceOfSatisfying(Ec2Failure.LimitExceeded.class,
                        f -> assertThat(f.errorCode()).isEqualTo("PrivateIpAddressLimitExceeded"));
        assertThat(describe(prefixes.id()).prefixes()).hasSize(9);
    }

    @Test
    void assignAnswersOnlyTheAddressesItAssigned() {
        String subnet = world.createSubnet(block(8, 24));
        Eni eni = ec2.createNetworkInterface(create(subnet, 2, 0));
        List<String> added = ec2.assignPrivateIpAddresses(eni.id(), 3);
        assertThat(added).hasSize(3).doesNotContainAnyElementsOf(eni.secondaryIps()).doesNotContain(eni.primaryIp());
        assertThat(describe(eni.id()).secondaryIps()).containsExactlyInAnyOrderElementsOf(
                concat(eni.secondaryIps(), added));
    }

    @Test
    void terminationDeletesTheEnisMarkedDeleteOnTerminationAndDetachesTheRest() {
        String subnet = world.createSubnet(block(9, 24));
        String instance = world.runInstance(subnet, INSTANCE_TYPE);
        String primary = ec2.describeNetworkInterfaces(EniQuery.attachedTo(instance)).getFirst().id();
        Eni marked = ec2.createNetworkInterface(create(subnet, 1, 0));
        ec2.setDeleteOnTermination(marked.id(), ec2.attachNetworkInterface(marked.id(), instance, 1));
        Eni unmarked = ec2.createNetworkInterface(create(subnet, 1, 0));
        ec2.attachNetworkInterface(unmarked.id(), instance, 2);
        world.terminate(instance);
        List<String> left = ec2.describeNetworkInterfaces(EniQuery.byIds(List.of())).stream()
                .filter(e -> e.subnetId().equals(subnet)).map(Eni::id).toList();
        assertThat(left).as("the primary ENI and the marked one are deleted").containsExactly(unmarked.id());
        Eni after = describe(unmarked.id());
        assertThat(after.isAttached()).isFalse();
        assertThat(after.status()).isEqualTo("available");
        assertThat(left).doesNotContain(primary);
    }

    @Test
    void anAttachedEniCannotBeDeleted() {
        String subnet = world.createSubnet(block(10, 24));
        String instance = world.runInstance(subnet, INSTANCE_TYPE);
        Eni eni = ec2.createNetworkInterface(create(subnet, 0, 0));
        String attachment = ec2.attachNetworkInterface(eni.id(), instance, 1);
        assertThatThrownBy(() -> ec2.deleteNetworkInterface(eni.id()))
                .isInstanceOfSatisfying(Ec2Failure.class,
                        f -> assertThat(f.errorCode()).isEqualTo("InvalidNetworkInterface.InUse"));
        ec2.detachNetworkInterface(attachment, false);
        ec2.deleteNetworkInterface(eni.id());
        assertThat(ec2.describeNetworkInterfaces(EniQuery.byIds(List.of())).stream().map(Eni::id))
                .doesNotContain(eni.id());
    }

    @Test
    void macAddressesAreWellFormedAndStablePerEni() {
        String subnet = world.createSubnet(block(11, 24));
        Eni a = ec2.createNetworkInterface(create(subnet, 0, 0));
        Eni b = ec2.createNetworkInterface(create(subnet, 0, 0));
        assertThat(a.mac()).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}");
        assertThat(b.mac()).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}").isNotEqualTo(a.mac());
        assertThat(describe(a.id()).mac()).isEqualTo(a.mac());
    }

    protected Eni describe(String eniId) {
        return ec2.describeNetworkInterfaces(EniQuery.byIds(List.of(eniId))).getFirst();
    }

    protected int available(String subnetId) {
        List<Subnet> subnets = ec2.describeSubnets(SubnetQuery.byIds(List.of(subnetId)));
        return subnets.getFirst().availableAddresses();
    }

    protected static CreateEni create(String subnetId, int secondaryIps, int prefixes) {
        return new CreateEni(subnetId, "contract", List.of(), secondaryIps, prefixes, Map.of());
    }

    /** The index-th block of the given length at the start of the VPC's index-th /24 (index 0..255). */
    protected String block(int index, int length) {
        String[] octets = world.vpcCidr().split("/")[0].split("\\.");
        return octets[0] + "." + octets[1] + "." + index + ".0/" + length;
    }

    protected static long address(String ip) {
        try {
            return Integer.toUnsignedLong(ByteBuffer.wrap(InetAddress.getByName(ip).getAddress()).getInt());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
