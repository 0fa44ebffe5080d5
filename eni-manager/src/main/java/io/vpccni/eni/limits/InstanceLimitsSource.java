package io.vpccni.eni.limits;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.port.Ec2Api;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Instance-type network limits from DescribeInstanceTypes, asked once per type for the life of the process. */
public final class InstanceLimitsSource {

    private final Ec2Api ec2;
    private final Map<String, InstanceLimits> cache = new ConcurrentHashMap<>();

    public InstanceLimitsSource(Ec2Api ec2) {
        this.ec2 = ec2;
    }

    /** The type's limits with MAX_ENI applied. */
    public InstanceLimits limitsFor(String instanceType, int maxEni) {
        return cache.computeIfAbsent(instanceType, type -> ec2.describeInstanceType(type).orElseThrow(() ->
                new Ec2Failure.Other("DescribeInstanceTypes", "InvalidInstanceType",
                        "EC2 does not know instance type '" + type + "'", null)))
                .withMaxEni(maxEni);
    }
}
