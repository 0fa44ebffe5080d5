package io.vpccni.eni.fake;

import io.vpccni.eni.contract.Ec2World;
import io.vpccni.eni.port.Ec2Api;

/** The contract suite's world in memory: a {@link FakeEc2Api} of its own, its VPC the world's. */
public final class FakeEc2World implements Ec2World {

    private final FakeEc2Api ec2;

    public FakeEc2World(FakeEc2Api ec2) {
        this.ec2 = ec2;
    }

    public FakeEc2Api fake() {
        return ec2;
    }

    @Override
    public Ec2Api api() {
        return ec2;
    }

    @Override
    public String createSubnet(String cidrBlock) {
        return ec2.createSubnet(cidrBlock);
    }

    @Override
    public String vpcCidr() {
        return ec2.vpcCidr();
    }

    @Override
    public String runInstance(String subnetId, String instanceType) {
        return ec2.runInstance(subnetId, instanceType);
    }

    @Override
    public void terminate(String instanceId) {
        ec2.terminate(instanceId);
    }

    @Override
    public void close() {
        // Nothing outlives the object: the next world is a new fake.
    }
}
