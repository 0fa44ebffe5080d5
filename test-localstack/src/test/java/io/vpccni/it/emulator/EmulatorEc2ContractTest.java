package io.vpccni.it.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.eni.contract.Ec2ContractSuite;
import io.vpccni.eni.contract.Ec2World;
import io.vpccni.it.imds.TestImds;
import io.vpccni.it.localstack.EmulatorTiming;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;

/**
 * The EC2 contract suite against the emulator (LocalStack with the fidelity layer), and what only the emulator's
 * tests need on top: explicitly requested addresses, latency, throttling, and the test IMDS's view of an ENI.
 */
class EmulatorEc2ContractTest extends Ec2ContractSuite {

    @Override
    protected Ec2World newWorld() {
        return new EmulatorEc2World();
    }

    private EmulatorEc2World emulator() {
        return (EmulatorEc2World) world;
    }

    @Test
    void anExplicitlyRequestedAddressInUseAnswersInvalidIpAddressInUse() {
        String subnet = world.createSubnet(block(20, 24));
        String taken = emulator().vpc().instance(subnet, INSTANCE_TYPE).privateIpAddress();
        Ec2Client raw = emulator().raw();
        assertThatThrownBy(() -> raw.createNetworkInterface(b -> b.subnetId(subnet).privateIpAddress(taken)))
                .isInstanceOfSatisfying(AwsServiceException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIPAddress.InUse"));
        String reserved = block(20, 24).replace(".0/24", ".1");
        assertThatThrownBy(() -> raw.createNetworkInterface(b -> b.subnetId(subnet).privateIpAddress(reserved)))
                .isInstanceOfSatisfying(AwsServiceException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValue"));
        String free = block(20, 24).replace(".0/24", ".200");
        NetworkInterface eni = raw.createNetworkInterface(b -> b.subnetId(subnet).privateIpAddress(free))
                .networkInterface();
        assertThat(eni.privateIpAddress()).isEqualTo(free);
    }

    @Test
    void anAttachmentIsAttachingUntilItsLatencyHasPassedAndOnlyThenVisibleInInstanceMetadata() throws Exception {
        String subnet = world.createSubnet(block(21, 24));
        String instance = world.runInstance(subnet, INSTANCE_TYPE);
        String eni = ec2.createNetworkInterface(create(subnet, 0, 0)).id();
        try (EmulatorTiming timing = EmulatorTiming.of(Map.of("attachment", 2000), false);
             TestImds imds = TestImds.start(emulator().raw(), instance)) {
            ec2.attachNetworkInterface(eni, instance, 1);
            assertThat(attachmentStatus(eni)).isEqualTo("attaching");
            assertThat(imdsLines(imds, "network/interfaces/macs/")).as("only the primary ENI is visible").hasSize(1);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!"attached".equals(attachmentStatus(eni)) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(attachmentStatus(eni)).isEqualTo("attached");
            assertThat(imdsLines(imds, "network/interfaces/macs/")).hasSize(2);
        }
    }

    @Test
    void aCallTakesAtLeastItsConfiguredLatency() {
        String subnet = world.createSubnet(block(22, 24));
        try (EmulatorTiming timing = EmulatorTiming.of(Map.of("CreateNetworkInterface", 300), false)) {
            long start = System.nanoTime();
            ec2.createNetworkInterface(create(subnet, 0, 0));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }

    @Test
    void anEmptyTokenBucketAnswersRequestLimitExceededUntilItRefills() throws Exception {
        String subnet = world.createSubnet(block(23, 24));
        // The daemons' kind of client (the harness's raw client is never throttled); no retries: every refusal is seen.
        Ec2Client raw = io.vpccni.it.localstack.LocalStack.throttledClient();
        // One token back every 2 s: even a slow emulator answering the eight calls in 4 s refills only two.
        try (EmulatorTiming timing = EmulatorTiming.throttling("mutating", 5, 0.5)) {
            List<String> outcomes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                try {
                    raw.createTags(b -> b.resources(subnet).tags(t -> t.key("k").value("v")));
                    outcomes.add("ok");
                } catch (AwsServiceException e) {
                    outcomes.add(e.awsErrorDetails().errorCode());
                    assertThat(e.statusCode()).isEqualTo(503);
                    assertThat(e.isThrottlingException()).isTrue();
                }
            }
            assertThat(outcomes.subList(0, 5)).containsOnly("ok");
            assertThat(outcomes).contains("RequestLimitExceeded");
            assertThat(raw.describeSubnets(b -> b.subnetIds(subnet)).subnets())
                    .as("another API's bucket is not affected").hasSize(1);
            Thread.sleep(2_200); // a token comes back
            raw.createTags(b -> b.resources(subnet).tags(t -> t.key("k").value("w")));
        }
    }

    @Test
    void theTestImdsServesAnEnisPrefixes() throws Exception {
        String subnet = world.createSubnet(block(24, 24));
        String instance = world.runInstance(subnet, INSTANCE_TYPE);
        var eni = ec2.createNetworkInterface(create(subnet, 0, 2));
        ec2.attachNetworkInterface(eni.id(), instance, 1);
        try (TestImds imds = TestImds.start(emulator().raw(), instance)) {
            assertThat(imdsLines(imds, "network/interfaces/macs/" + eni.mac() + "/ipv4-prefix"))
                    .containsExactlyInAnyOrderElementsOf(eni.prefixes());
        }
    }

    @Test
    void ipv6AddressesAndSlash80PrefixesComeFromTheSubnetsSlash64AndCountAgainstTheLimit() throws Exception {
        Ec2Client raw = emulator().raw();
        var vpc = raw.createVpc(b -> b.cidrBlock("10.250.0.0/16").amazonProvidedIpv6CidrBlock(true)).vpc();
        String v6 = vpc.ipv6CidrBlockAssociationSet().getFirst().ipv6CidrBlock(); // a /56
        String slash64 = v6.replace("00::/56", "01::/64");
        String subnet = raw.createSubnet(b -> b.vpcId(vpc.vpcId()).cidrBlock("10.250.0.0/24").ipv6CidrBlock(slash64)
                .availabilityZone("us-east-1a")).subnet().subnetId();
        try {
            String instance = raw.runInstances(b -> b.imageId("ami-12c6146b").minCount(1).maxCount(1)
                    .instanceType(INSTANCE_TYPE).subnetId(subnet)).instances().getFirst().instanceId();
            NetworkInterface eni = raw.createNetworkInterface(b -> b.subnetId(subnet).ipv6AddressCount(2)
                    .ipv6PrefixCount(1)).networkInterface();
            raw.attachNetworkInterface(b -> b.networkInterfaceId(eni.networkInterfaceId()).instanceId(instance)
                    .deviceIndex(1));
            var added = raw.assignIpv6Addresses(b -> b.networkInterfaceId(eni.networkInterfaceId())
                    .ipv6AddressCount(1).ipv6PrefixCount(1));
            assertThat(added.assignedIpv6Addresses()).as("only what it assigned").hasSize(1);
            assertThat(added.assignedIpv6Prefixes()).hasSize(1);
            NetworkInterface described = raw.describeNetworkInterfaces(b -> b.networkInterfaceIds(
                    eni.networkInterfaceId())).networkInterfaces().getFirst();
            java.net.Inet6Address net = (java.net.Inet6Address) java.net.InetAddress.getByName(slash64.split("/")[0]);
            List<String> addresses = described.ipv6Addresses().stream().map(a -> a.ipv6Address()).toList();
            assertThat(addresses).hasSize(3).doesNotHaveDuplicates().allSatisfy(a -> assertThat(
                    java.util.Arrays.equals(java.util.Arrays.copyOf(java.net.InetAddress.getByName(a).getAddress(), 8),
                            java.util.Arrays.copyOf(net.getAddress(), 8))).as(a + " in " + slash64).isTrue());
            assertThat(described.ipv6Prefixes()).hasSize(2).allSatisfy(p -> {
                assertThat(p.ipv6Prefix()).endsWith("/80");
                byte[] start = java.net.InetAddress.getByName(p.ipv6Prefix().split("/")[0]).getAddress();
                assertThat(start[10] == 0 && start[11] == 0 && start[12] == 0 && start[13] == 0 && start[14] == 0
                        && start[15] == 0).as(p.ipv6Prefix() + " is aligned").isTrue();
            });
            // m5.large: 10 IPv6 addresses per interface; 3 addresses + 2 prefixes hold 5 of them.
            assertThatThrownBy(() -> raw.assignIpv6Addresses(b -> b.networkInterfaceId(eni.networkInterfaceId())
                    .ipv6AddressCount(6))).isInstanceOfSatisfying(AwsServiceException.class,
                    e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("PrivateIpAddressLimitExceeded"));
            assertThatThrownBy(() -> raw.assignIpv6Addresses(b -> b.networkInterfaceId(eni.networkInterfaceId())
                    .ipv6Addresses(addresses.getFirst()))).isInstanceOfSatisfying(AwsServiceException.class,
                    e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIPAddress.InUse"));
            try (TestImds imds = TestImds.start(raw, instance)) {
                assertThat(imdsLines(imds, "network/interfaces/macs/" + eni.macAddress() + "/ipv6s"))
                        .containsExactlyInAnyOrderElementsOf(addresses);
                assertThat(imdsLines(imds, "network/interfaces/macs/" + eni.macAddress() + "/ipv6-prefix"))
                        .containsExactlyInAnyOrderElementsOf(described.ipv6Prefixes().stream()
                                .map(p -> p.ipv6Prefix()).toList());
            }
            raw.unassignIpv6Addresses(b -> b.networkInterfaceId(eni.networkInterfaceId())
                    .ipv6Prefixes(added.assignedIpv6Prefixes()));
            assertThat(raw.describeNetworkInterfaces(b -> b.networkInterfaceIds(eni.networkInterfaceId()))
                    .networkInterfaces().getFirst().ipv6Prefixes()).hasSize(1);
            raw.terminateInstances(b -> b.instanceIds(instance));
        } finally {
            raw.describeNetworkInterfaces(b -> b.filters(f -> f.name("vpc-id").values(vpc.vpcId())))
                    .networkInterfaces().forEach(n -> raw.deleteNetworkInterface(b -> b.networkInterfaceId(
                            n.networkInterfaceId())));
            raw.deleteSubnet(b -> b.subnetId(subnet));
            raw.deleteVpc(b -> b.vpcId(vpc.vpcId()));
        }
    }

    @Test
    void badTimingConfigurationIsRefusedAndChangesNothing() {
        var before = EmulatorTiming.current();
        assertThatThrownBy(() -> EmulatorTiming.of(Map.of("NoSuchApi", 5), false))
                .hasMessageContaining("NoSuchApi");
        assertThat(EmulatorTiming.current()).isEqualTo(before);
    }

    private String attachmentStatus(String eniId) {
        return emulator().raw().describeNetworkInterfaces(b -> b.networkInterfaceIds(eniId)).networkInterfaces()
                .getFirst().attachment().statusAsString();
    }

    private static List<String> imdsLines(TestImds imds, String path) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            URI base = imds.endpoint();
            String token = http.send(HttpRequest.newBuilder(base.resolve("/latest/api/token"))
                    .PUT(HttpRequest.BodyPublishers.noBody()).header("X-aws-ec2-metadata-token-ttl-seconds", "60")
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            HttpResponse<String> reply = http.send(HttpRequest.newBuilder(base.resolve("/latest/meta-data/" + path))
                    .header("X-aws-ec2-metadata-token", token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(reply.statusCode()).as(path).isEqualTo(200);
            return reply.body().lines().map(l -> l.endsWith("/") ? l.substring(0, l.length() - 1) : l).toList();
        }
    }
}
