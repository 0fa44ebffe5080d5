package io.vpccni.it.localstack;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * A VPC of a test's own in the emulator: the free emulator has no reset, so every test builds its own VPC, /20
 * subnets, security group and instance, and removes them when closed.
 */
public final class TestVpc implements AutoCloseable {

  public static final String ZONE = "us-east-1a";

  private final Ec2Client ec2;
  private final String vpcId;
  private final String cidr;
  private final int secondOctet;
  private final String securityGroupId;
  private final List<String> subnetIds = new ArrayList<>();
  private final List<String> instanceIds = new ArrayList<>();

  private TestVpc(Ec2Client ec2) {
    this.ec2 = ec2;
    this.secondOctet = ThreadLocalRandom.current().nextInt(1, 255);
    this.cidr = "10." + secondOctet + ".0.0/16";
    this.vpcId = ec2.createVpc(b -> b.cidrBlock(cidr)).vpc().vpcId();
    this.securityGroupId = ec2.createSecurityGroup(b -> b.vpcId(vpcId).groupName("vpccni-" + vpcId)
        .description("vpc-cni test")).groupId();
  }

  public static TestVpc create(Ec2Client ec2) {
    return new TestVpc(ec2);
  }

  public String vpcId() {
    return vpcId;
  }

  public String cidr() {
    return cidr;
  }

  public String securityGroupId() {
    return securityGroupId;
  }

  /** A /20 subnet, the index-th of the VPC (index 0..15), optionally tagged. */
  public String subnet(int index, Map<String, String> tags) {
    String block = "10." + secondOctet + "." + (index * 16) + ".0/20";
    String id = ec2.createSubnet(b -> {
      b.vpcId(vpcId).cidrBlock(block).availabilityZone(ZONE);
      if (!tags.isEmpty()) {
        b.tagSpecifications(TagSpecification.builder().resourceType(ResourceType.SUBNET).tags(tags(tags)).build());
      }
    }).subnet().subnetId();
    subnetIds.add(id);
    return id;
  }

  /** A subnet with the given block, which must lie inside {@link #cidr()}. */
  public String subnetWithBlock(String block) {
    String id = ec2.createSubnet(b -> b.vpcId(vpcId).cidrBlock(block).availabilityZone(ZONE)).subnet().subnetId();
    subnetIds.add(id);
    return id;
  }

  /** Starts an instance of the given type with its primary ENI in the subnet. */
  public Instance instance(String subnetId, String instanceType) {
    Instance instance = ec2.runInstances(b -> b.imageId("ami-12c6146b").minCount(1).maxCount(1)
        .instanceType(instanceType).subnetId(subnetId).securityGroupIds(securityGroupId)).instances().getFirst();
    instanceIds.add(instance.instanceId());
    return instance;
  }

  @Override
  public void close() {
    // Terminating deletes the ENIs marked DeleteOnTermination and detaches the others, which can then be deleted
    // (EC2 refuses to delete an attached ENI).
    for (String id : instanceIds) {
      quietly(() -> ec2.terminateInstances(b -> b.instanceIds(id)));
    }
    ec2.describeNetworkInterfaces(b -> b.filters(f -> f.name("vpc-id").values(vpcId))).networkInterfaces()
        .forEach(ni -> quietly(() -> ec2.deleteNetworkInterface(b -> b.networkInterfaceId(ni.networkInterfaceId()))));
    subnetIds.forEach(id -> quietly(() -> ec2.deleteSubnet(b -> b.subnetId(id))));
    quietly(() -> ec2.deleteSecurityGroup(b -> b.groupId(securityGroupId)));
    quietly(() -> ec2.deleteVpc(b -> b.vpcId(vpcId)));
  }

  private static List<Tag> tags(Map<String, String> tags) {
    return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
  }

  // Teardown is best effort: the emulator keeps state per test VPC, so a leftover never affects another test.
  private static void quietly(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException ignored) {
      // see above
    }
  }
}
