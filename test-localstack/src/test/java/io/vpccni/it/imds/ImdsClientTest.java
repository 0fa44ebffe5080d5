package io.vpccni.it.imds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.eni.imds.ImdsInstanceMetadata;
import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.port.InstanceMetadata;
import io.vpccni.it.localstack.LocalStack;
import io.vpccni.it.localstack.TestVpc;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;

/** The production IMDSv2 client against the test IMDS, which answers from the emulator's EC2 state. */
class ImdsClientTest {

    private final Ec2Client ec2 = LocalStack.rawClient();
    private final TestVpc vpc = TestVpc.create(ec2);
    private final String subnetId = vpc.subnet(0, Map.of());
    private final Instance instance = vpc.instance(subnetId, "m5.large");
    private final TestImds imds = TestImds.start(ec2, instance.instanceId());
    private final InstanceMetadata metadata = new ImdsInstanceMetadata(imds.endpoint(), Duration.ofSeconds(2));

    @AfterEach
    void tearDown() {
        imds.close();
        vpc.close();
    }

    @Test
    void readsTheInstanceIdentity() {
        InstanceIdentity identity = metadata.identity();

        assertThat(identity.instanceId()).isEqualTo(instance.instanceId());
        assertThat(identity.instanceType()).isEqualTo("m5.large");
        assertThat(identity.availabilityZone()).isEqualTo("us-east-1a");
        assertThat(identity.region()).isEqualTo("us-east-1");
        assertThat(identity.primaryIpv4()).isEqualTo(instance.privateIpAddress());
        assertThat(identity.primaryMac()).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}");
    }

    @Test
    void readsEveryEniWithItsAddressesSubnetAndVpcCidrs() {
        String eniId = ec2.createNetworkInterface(b -> b.subnetId(subnetId).groups(vpc.securityGroupId())
                .secondaryPrivateIpAddressCount(2)).networkInterface().networkInterfaceId();
        ec2.attachNetworkInterface(b -> b.networkInterfaceId(eniId).instanceId(instance.instanceId()).deviceIndex(1));

        List<EniMetadata> enis = metadata.enis();

        assertThat(enis).extracting(EniMetadata::deviceNumber).containsExactly(0, 1);
        EniMetadata primary = enis.get(0);
        assertThat(primary.primaryIpv4()).isEqualTo(instance.privateIpAddress());
        assertThat(primary.mac()).isEqualTo(metadata.identity().primaryMac());
        EniMetadata secondary = enis.get(1);
        assertThat(secondary.interfaceId()).isEqualTo(eniId);
        assertThat(secondary.subnetId()).isEqualTo(subnetId);
        assertThat(secondary.vpcId()).isEqualTo(vpc.vpcId());
        assertThat(secondary.securityGroupIds()).containsExactly(vpc.securityGroupId());
        assertThat(secondary.localIpv4s()).hasSize(3);
        assertThat(secondary.subnetIpv4CidrBlock()).endsWith("/20");
        assertThat(secondary.vpcIpv4CidrBlocks()).containsExactly(vpc.cidr());
    }

    @Test
    void treatsAMissingIpv4PrefixKeyAsNoPrefixes() {
        assertThat(metadata.enis().getFirst().ipv4Prefixes()).isEmpty();
    }

    @Test
    void startsANewSessionWhenTheTokenExpires() {
        String before = metadata.identity().instanceId();
        imds.expireTokens();

        assertThat(metadata.identity().instanceId()).isEqualTo(before);
    }

    @Test
    void refusesRequestsWithoutASessionToken() throws Exception {
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            var reply = http.send(java.net.http.HttpRequest.newBuilder(imds.endpoint().resolve(
                    "/latest/meta-data/instance-id")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(reply.statusCode()).isEqualTo(401);
        }
    }

    @Test
    void reportsAnUnreachableImdsClearly() {
        var unreachable = new ImdsInstanceMetadata(URI.create("http://127.0.0.1:9"), Duration.ofMillis(500));

        assertThatThrownBy(unreachable::identity)
                .isInstanceOf(InstanceMetadata.MetadataUnavailable.class)
                .hasMessageContaining("cannot read instance metadata")
                .hasMessageContaining("127.0.0.1:9");
    }
}
