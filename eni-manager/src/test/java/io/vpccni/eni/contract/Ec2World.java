package io.vpccni.eni.contract;

import io.vpccni.eni.port.Ec2Api;

/**
 * What the EC2 contract suite needs around the {@link Ec2Api} under test: a VPC of its own in which it can make
 * subnets and run or terminate instances (calls the node never makes, so they are not part of the port).
 */
public interface Ec2World extends AutoCloseable {

    /** The implementation under test. */
    Ec2Api api();

    /** A new subnet of the world's VPC with the given CIDR block, which lies inside the VPC's {@link #vpcCidr()}. */
    String createSubnet(String cidrBlock);

    /** The VPC's CIDR block, a /16. */
    String vpcCidr();

    /** Runs an instance of the type with its primary ENI in the subnet; returns its id. */
    String runInstance(String subnetId, String instanceType);

    /** TerminateInstances. */
    void terminate(String instanceId);

    @Override
    void close();
}
