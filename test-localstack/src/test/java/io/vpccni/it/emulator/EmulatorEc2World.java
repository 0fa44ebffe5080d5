package io.vpccni.it.emulator;

import io.vpccni.eni.aws.AwsEc2Api;
import io.vpccni.eni.contract.Ec2World;
import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.port.Ec2Api;
import io.vpccni.it.localstack.LocalStack;
import io.vpccni.it.localstack.TestVpc;
import java.util.List;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** The contract suite's world in the emulator: a {@link TestVpc} of its own, the production {@link AwsEc2Api}. */
final class EmulatorEc2World implements Ec2World {

    private final Ec2Client raw = LocalStack.rawClient();
    private final TestVpc vpc = TestVpc.create(raw);
    private final Ec2Api api = new AwsEc2Api(LocalStack.client(List.of()), LocalStack.fastGuard(new Ec2CallStats()));

    Ec2Client raw() {
        return raw;
    }

    TestVpc vpc() {
        return vpc;
    }

    @Override
    public Ec2Api api() {
        return api;
    }

    @Override
    public String createSubnet(String cidrBlock) {
        return vpc.subnetWithBlock(cidrBlock);
    }

    @Override
    public String vpcCidr() {
        return vpc.cidr();
    }

    @Override
    public String runInstance(String subnetId, String instanceType) {
        return vpc.instance(subnetId, instanceType).instanceId();
    }

    @Override
    public void terminate(String instanceId) {
        raw.terminateInstances(b -> b.instanceIds(instanceId));
    }

    @Override
    public void close() {
        vpc.close();
    }
}
