package io.vpccni.eni.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.guard.Ec2CallObserver;
import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.model.Subnet;
import io.vpccni.eni.port.Ec2Api;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The EC2 adapter without sockets: each operation's exact form body (EC2's Query encoding) and the reading of EC2's
 * documented reply shapes into our records.
 */
class AwsEc2ApiTest {

    private static final String NS = " xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"";

    private final RecordedEc2 http = new RecordedEc2();
    private final Ec2Api api = new AwsEc2Api(http.client(List.of()),
            new Ec2Guard(Ec2Guard.Settings.defaults().withBackoff(Duration.ofMillis(1), Duration.ofMillis(2)),
                    Ec2CallObserver.NONE));

    /** An ENI as DescribeNetworkInterfaces and CreateNetworkInterface describe it (EC2 API reference). */
    private static String eniXml(String element, boolean attached) {
        return "<" + element + ">"
                + "<networkInterfaceId>eni-0f782d3d</networkInterfaceId>"
                + "<subnetId>subnet-c53c87ac</subnetId><vpcId>vpc-cc3c87a5</vpcId>"
                + "<availabilityZone>us-east-1b</availabilityZone><description>aws-K8S-i-22197876</description>"
                + "<ownerId>053230519467</ownerId><requesterManaged>false</requesterManaged>"
                + "<status>" + (attached ? "in-use" : "available") + "</status>"
                + "<macAddress>02:81:60:cb:27:37</macAddress><privateIpAddress>10.0.0.146</privateIpAddress>"
                + "<sourceDestCheck>true</sourceDestCheck>"
                + "<groupSet><item><groupId>sg-3f4b5653</groupId><groupName>default</groupName></item>"
                + "<item><groupId>sg-pods</groupId><groupName>pods</groupName></item></groupSet>"
                + (attached ? "<attachment><attachmentId>eni-attach-6537fc0c</attachmentId>"
                        + "<instanceId>i-22197876</instanceId><instanceOwnerId>053230519467</instanceOwnerId>"
                        + "<deviceIndex>2</deviceIndex><status>attached</status>"
                        + "<attachTime>2012-07-01T21:45:27.000Z</attachTime>"
                        + "<deleteOnTermination>true</deleteOnTermination></attachment>" : "")
                + "<tagSet><item><key>node.k8s.amazonaws.com/instance_id</key><value>i-22197876</value></item>"
                + "<item><key>empty</key><value/></item></tagSet>"
                + "<privateIpAddressesSet>\n"
                + "  <item><privateIpAddress>10.0.0.146</privateIpAddress><primary>true</primary></item>\n"
                + "  <item><privateIpAddress>10.0.0.148</privateIpAddress><primary>false</primary></item>\n"
                + "  <item><privateIpAddress>10.0.0.150</privateIpAddress><primary>false</primary></item>\n"
                + "</privateIpAddressesSet>"
                + "<ipv4PrefixSet><item><ipv4Prefix>10.0.1.16/28</ipv4Prefix></item></ipv4PrefixSet>"
                + "</" + element + ">";
    }

    private static String response(String action, String content) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + action + "Response" + NS + ">"
                + "<requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>" + content + "</" + action + "Response>";
    }

    private static String ok(String action) {
        return response(action, "<return>true</return>");
    }

    @Test
    void createNetworkInterfaceSendsTheSubnetGroupsTagsAndPrefixCountAndReadsTheNewEni() {
        http.answer(response("CreateNetworkInterface", eniXml("networkInterface", false)));

        Eni eni = api.createNetworkInterface(new Ec2Api.CreateEni("subnet-c53c87ac", "aws-K8S-i-22197876",
                List.of("sg-3f4b5653", "sg-pods"), 0, 2,
                Map.of("node.k8s.amazonaws.com/instance_id", "i-22197876", "cluster.k8s.amazonaws.com/name", "a b")));

        assertThat(http.bodies()).containsExactly("Action=CreateNetworkInterface&Version=2016-11-15"
                + "&SubnetId=subnet-c53c87ac&Description=aws-K8S-i-22197876"
                + "&SecurityGroupId.1=sg-3f4b5653&SecurityGroupId.2=sg-pods"
                + "&TagSpecification.1.ResourceType=network-interface"
                + "&TagSpecification.1.Tag.1.Key=cluster.k8s.amazonaws.com%2Fname&TagSpecification.1.Tag.1.Value=a%20b"
                + "&TagSpecification.1.Tag.2.Key=node.k8s.amazonaws.com%2Finstance_id"
                + "&TagSpecification.1.Tag.2.Value=i-22197876"
                + "&Ipv4PrefixCount=2");
        assertThat(eni).isEqualTo(new Eni("eni-0f782d3d", "02:81:60:cb:27:37", "subnet-c53c87ac", "10.0.0.146",
                List.of("10.0.0.148", "10.0.0.150"), List.of("10.0.1.16/28"), -1, Optional.empty(), Optional.empty(),
                "available", "aws-K8S-i-22197876", List.of("sg-3f4b5653", "sg-pods"),
                Map.of("node.k8s.amazonaws.com/instance_id", "i-22197876", "empty", "")));
    }

    @Test
    void createNetworkInterfaceInSecondaryIpModeAsksForTheCountOfAddresses() {
        http.answer(response("CreateNetworkInterface", eniXml("networkInterface", false)));

        api.createNetworkInterface(new Ec2Api.CreateEni("subnet-1", "d", List.of(), 9, 0, Map.of()));

        assertThat(http.bodies()).containsExactly("Action=CreateNetworkInterface&Version=2016-11-15"
                + "&SubnetId=subnet-1&Description=d&TagSpecification.1.ResourceType=network-interface"
                + "&SecondaryPrivateIpAddressCount=9");
    }

    @Test
    void attachmentCallsSendTheirIdsAndReadTheAttachmentId() {
        http.answer(response("AttachNetworkInterface",
                        "<attachmentId>eni-attach-d94b09b0</attachmentId><networkCardIndex>0</networkCardIndex>"))
                .answer(ok("ModifyNetworkInterfaceAttribute"))
                .answer(ok("DetachNetworkInterface"))
                .answer(ok("DeleteNetworkInterface"));

        assertThat(api.attachNetworkInterface("eni-1", "i-1", 3)).isEqualTo("eni-attach-d94b09b0");
        api.setDeleteOnTermination("eni-1", "eni-attach-d94b09b0");
        api.detachNetworkInterface("eni-attach-d94b09b0", true);
        api.deleteNetworkInterface("eni-1");

        assertThat(http.bodies()).containsExactly(
                "Action=AttachNetworkInterface&Version=2016-11-15&NetworkInterfaceId=eni-1&InstanceId=i-1"
                        + "&DeviceIndex=3",
                "Action=ModifyNetworkInterfaceAttribute&Version=2016-11-15&NetworkInterfaceId=eni-1"
                        + "&Attachment.AttachmentId=eni-attach-d94b09b0&Attachment.DeleteOnTermination=true",
                "Action=DetachNetworkInterface&Version=2016-11-15&AttachmentId=eni-attach-d94b09b0&Force=true",
                "Action=DeleteNetworkInterface&Version=2016-11-15&NetworkInterfaceId=eni-1");
    }

    @Test
    void addressesAndPrefixesAreAssignedByCountAndUnassignedAsNumberedLists() {
        http.answer(response("AssignPrivateIpAddresses", "<networkInterfaceId>eni-1</networkInterfaceId>"
                        + "<assignedPrivateIpAddressesSet><item><privateIpAddress>10.0.0.5</privateIpAddress></item>"
                        + "<item><privateIpAddress>10.0.0.6</privateIpAddress></item></assignedPrivateIpAddressesSet>"))
                .answer(response("AssignPrivateIpAddresses", "<networkInterfaceId>eni-1</networkInterfaceId>"
                        + "<assignedIpv4PrefixSet><item><ipv4Prefix>10.0.2.32/28</ipv4Prefix></item>"
                        + "</assignedIpv4PrefixSet>"))
                .answer(ok("UnassignPrivateIpAddresses"))
                .answer(ok("UnassignPrivateIpAddresses"));

        assertThat(api.assignPrivateIpAddresses("eni-1", 2)).containsExactly("10.0.0.5", "10.0.0.6");
        assertThat(api.assignIpv4Prefixes("eni-1", 1)).containsExactly("10.0.2.32/28");
        api.unassignPrivateIpAddresses("eni-1", List.of("10.0.0.5", "10.0.0.6"));
        api.unassignIpv4Prefixes("eni-1", List.of("10.0.2.32/28"));

        assertThat(http.bodies()).containsExactly(
                "Action=AssignPrivateIpAddresses&Version=2016-11-15&NetworkInterfaceId=eni-1"
                        + "&SecondaryPrivateIpAddressCount=2",
                "Action=AssignPrivateIpAddresses&Version=2016-11-15&NetworkInterfaceId=eni-1&Ipv4PrefixCount=1",
                "Action=UnassignPrivateIpAddresses&Version=2016-11-15&NetworkInterfaceId=eni-1"
                        + "&PrivateIpAddress.1=10.0.0.5&PrivateIpAddress.2=10.0.0.6",
                "Action=UnassignPrivateIpAddresses&Version=2016-11-15&NetworkInterfaceId=eni-1"
                        + "&Ipv4Prefix.1=10.0.2.32%2F28");
    }

    @Test
    void describeNetworkInterfacesSendsIdsAndFiltersAndFollowsNextTokenToTheLastPage() {
        http.answer(response("DescribeNetworkInterfaces", "<networkInterfaceSet>" + eniXml("item", true)
                        + "</networkInterfaceSet><nextToken>page+2/=</nextToken>"))
                .answer(response("DescribeNetworkInterfaces",
                        "<networkInterfaceSet>" + eniXml("item", false).replace("eni-0f782d3d", "eni-second")
                                + "</networkInterfaceSet>"));

        List<Eni> enis = api.describeNetworkInterfaces(new Ec2Api.EniQuery(List.of("eni-0f782d3d", "eni-second"),
                Optional.of("i-22197876"), Optional.of("in-use"), Map.of("cluster.k8s.amazonaws.com/name", "c1"),
                List.of("node.k8s.amazonaws.com/instance_id")));

        String request = "Action=DescribeNetworkInterfaces&Version=2016-11-15"
                + "&NetworkInterfaceId.1=eni-0f782d3d&NetworkInterfaceId.2=eni-second"
                + "&Filter.1.Name=attachment.instance-id&Filter.1.Value.1=i-22197876"
                + "&Filter.2.Name=status&Filter.2.Value.1=in-use"
                + "&Filter.3.Name=tag%3Acluster.k8s.amazonaws.com%2Fname&Filter.3.Value.1=c1"
                + "&Filter.4.Name=tag-key&Filter.4.Value.1=node.k8s.amazonaws.com%2Finstance_id";
        assertThat(http.bodies()).containsExactly(request, request + "&NextToken=page%2B2%2F%3D");
        assertThat(enis).extracting(Eni::id).containsExactly("eni-0f782d3d", "eni-second");
        Eni attached = enis.getFirst();
        assertThat(attached.deviceIndex()).isEqualTo(2);
        assertThat(attached.attachmentId()).contains("eni-attach-6537fc0c");
        assertThat(attached.attachedInstanceId()).contains("i-22197876");
        assertThat(attached.status()).isEqualTo("in-use");
    }

    @Test
    void anEmptyDescribeIsOneCallWithoutFiltersAndNoEnis() {
        http.answer(response("DescribeNetworkInterfaces", "<networkInterfaceSet/>"));

        assertThat(api.describeNetworkInterfaces(Ec2Api.EniQuery.byIds(List.of()))).isEmpty();
        assertThat(http.bodies()).containsExactly("Action=DescribeNetworkInterfaces&Version=2016-11-15");
    }

    @Test
    void createTagsNamesTheResourceAndEachTag() {
        http.answer(ok("CreateTags"));

        api.createTags("eni-1", Map.of("b", "2", "a", "1"));

        assertThat(http.bodies()).containsExactly("Action=CreateTags&Version=2016-11-15&ResourceId.1=eni-1"
                + "&Tag.1.Key=a&Tag.1.Value=1&Tag.2.Key=b&Tag.2.Value=2");
    }

    @Test
    void describeSubnetsSendsItsFiltersAndReadsTheFreeAddressCountAndTags() {
        http.answer(response("DescribeSubnets", "<subnetSet><item>"
                + "<subnetId>subnet-9d4a7b6c</subnetId><subnetArn>arn:aws:ec2:...</subnetArn>"
                + "<state>available</state><vpcId>vpc-1a2b3c4d</vpcId><cidrBlock>10.0.1.0/24</cidrBlock>"
                + "<ipv6CidrBlockAssociationSet/><availableIpAddressCount>251</availableIpAddressCount>"
                + "<availabilityZone>us-east-1a</availabilityZone><availabilityZoneId>use1-az1</availabilityZoneId>"
                + "<defaultForAz>false</defaultForAz><mapPublicIpOnLaunch>false</mapPublicIpOnLaunch>"
                + "<tagSet><item><key>kubernetes.io/role/cni</key><value>1</value></item></tagSet>"
                + "</item></subnetSet>"));

        List<Subnet> subnets = api.describeSubnets(new Ec2Api.SubnetQuery(List.of("subnet-9d4a7b6c"),
                Optional.of("vpc-1a2b3c4d"), Optional.of("us-east-1a"), List.of("kubernetes.io/role/cni")));

        assertThat(http.bodies()).containsExactly("Action=DescribeSubnets&Version=2016-11-15"
                + "&SubnetId.1=subnet-9d4a7b6c&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1a2b3c4d"
                + "&Filter.2.Name=availability-zone&Filter.2.Value.1=us-east-1a"
                + "&Filter.3.Name=tag-key&Filter.3.Value.1=kubernetes.io%2Frole%2Fcni");
        assertThat(subnets).containsExactly(new Subnet("subnet-9d4a7b6c", "vpc-1a2b3c4d", "us-east-1a",
                "10.0.1.0/24", 251, Map.of("kubernetes.io/role/cni", "1")));
    }

    @Test
    void describeInstanceTypeReadsTheNetworkInfoOfTheTypeNotOfItsNetworkCards() {
        http.answer(response("DescribeInstanceTypes", "<instanceTypeSet><item>"
                + "<instanceType>m5.16xlarge</instanceType><currentGeneration>true</currentGeneration>"
                + "<hypervisor>nitro</hypervisor><networkInfo>"
                + "<networkPerformance>20 Gigabit</networkPerformance>"
                + "<maximumNetworkInterfaces>15</maximumNetworkInterfaces>"
                + "<maximumNetworkCards>1</maximumNetworkCards><defaultNetworkCardIndex>0</defaultNetworkCardIndex>"
                + "<networkCards><item><networkCardIndex>0</networkCardIndex>"
                + "<maximumNetworkInterfaces>99</maximumNetworkInterfaces></item></networkCards>"
                + "<ipv4AddressesPerInterface>50</ipv4AddressesPerInterface>"
                + "<ipv6AddressesPerInterface>50</ipv6AddressesPerInterface></networkInfo>"
                + "</item></instanceTypeSet>"))
                .answer(response("DescribeInstanceTypes", "<instanceTypeSet><item>"
                        + "<instanceType>t2.medium</instanceType><hypervisor>xen</hypervisor><networkInfo>"
                        + "<maximumNetworkInterfaces>3</maximumNetworkInterfaces>"
                        + "<ipv4AddressesPerInterface>6</ipv4AddressesPerInterface></networkInfo>"
                        + "</item></instanceTypeSet>"));

        assertThat(api.describeInstanceType("m5.16xlarge"))
                .contains(new InstanceLimits("m5.16xlarge", 15, 50, 1, true));
        assertThat(api.describeInstanceType("t2.medium")).contains(new InstanceLimits("t2.medium", 3, 6, 1, false));
        assertThat(http.bodies()).containsExactly(
                "Action=DescribeInstanceTypes&Version=2016-11-15&InstanceType.1=m5.16xlarge",
                "Action=DescribeInstanceTypes&Version=2016-11-15&InstanceType.1=t2.medium");
    }

    @Test
    void anInstanceTypeEc2DoesNotKnowIsEmpty() {
        http.answer(400, error("InvalidInstanceType", "The following supplied instance types do not exist: [x9]"));

        assertThat(api.describeInstanceType("x9")).isEmpty();
    }

    @Test
    void anErrorReplyBecomesTheFailureItsCodeNamesWithEc2sMessageAndRequestId() {
        http.answer(400, error("InvalidNetworkInterfaceID.NotFound",
                "The networkInterface ID 'eni-gone' does not exist"));

        assertThatThrownBy(() -> api.deleteNetworkInterface("eni-gone"))
                .isInstanceOfSatisfying(Ec2Failure.NotFound.class, failure -> {
                    assertThat(failure.operation()).isEqualTo("DeleteNetworkInterface");
                    assertThat(failure.errorCode()).isEqualTo("InvalidNetworkInterfaceID.NotFound");
                    assertThat(failure.getMessage()).isEqualTo("DeleteNetworkInterface: The networkInterface ID"
                            + " 'eni-gone' does not exist (InvalidNetworkInterfaceID.NotFound)");
                    assertThat(failure.getCause()).isInstanceOfSatisfying(Ec2QueryException.ServiceError.class,
                            error -> {
                                assertThat(error.requestId()).isEqualTo("ea966190-f9aa-478e-9ede-example");
                                assertThat(error.httpStatus()).isEqualTo(400);
                            });
                });
    }

    @Test
    void aThrottledCallIsRetriedByTheGuardAndThenSucceeds() {
        http.answer(503, error("RequestLimitExceeded", "Request limit exceeded."))
                .answer(ok("DeleteNetworkInterface"));

        api.deleteNetworkInterface("eni-1");

        assertThat(http.bodies()).hasSize(2).allMatch(body -> body.endsWith("&NetworkInterfaceId=eni-1"));
    }

    @Test
    void aReplyWithoutWhatTheOperationReturnsFailsNamingWhatIsMissing() {
        http.answer(response("AttachNetworkInterface", ""));

        assertThatThrownBy(() -> api.attachNetworkInterface("eni-1", "i-1", 1))
                .isInstanceOf(Ec2Failure.Other.class)
                .hasMessageContaining("AttachNetworkInterface's reply has no attachmentId");
    }

    /** EC2's error reply (EC2 API reference, "Error codes": Response/Errors/Error, RequestID). */
    static String error(String code, String message) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + code + "</Code>"
                + "<Message>" + message + "</Message></Error></Errors>"
                + "<RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>";
    }
}
