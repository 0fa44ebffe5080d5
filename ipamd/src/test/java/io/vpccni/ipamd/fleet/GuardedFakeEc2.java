package io.vpccni.ipamd.fleet;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.fake.FakeEc2Api;
import io.vpccni.eni.fake.GuardedEc2;
import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.eni.model.Eni;
import java.util.List;

/**
 * One node's EC2 client: every call of the port through the node's own {@link Ec2Guard} ({@link GuardedEc2}), as {@code AwsEc2Api}
 * sends every SDK request, onto the account's shared in-memory EC2.
 *
 * <p>With {@code upstreamCalls} it spends EC2 calls as aws-vpc-cni does (an approximation of its call pattern,
 * documented in BENCHMARKS.md, "Fleet"): an ENI is created without secondary addresses, DescribeInstances is
 * asked about the instance, and the addresses are added with a separate AssignPrivateIpAddresses. aws-vpc-cni
 * assigns after the attach; here the assign comes before it (EniManager hands the datastore the addresses create
 * answered), which spends the same calls with the same latency on the same path: an ENI's addresses are usable
 * only once its attachment completes in both. When the assign fails, the ENI goes on without addresses, as
 * upstream's (attached by then) does until a later top-up.
 */
final class GuardedFakeEc2 extends GuardedEc2 {

    private final FakeEc2Api ec2;
    private final String instanceId;
    private final boolean upstreamCalls;

    GuardedFakeEc2(FakeEc2Api ec2, Ec2Guard guard, String instanceId, boolean upstreamCalls) {
        super(ec2, guard);
        this.ec2 = ec2;
        this.instanceId = instanceId;
        this.upstreamCalls = upstreamCalls;
    }

    @Override
    public Eni createNetworkInterface(CreateEni request) {
        if (!upstreamCalls || request.prefixCount() > 0 || request.secondaryIpCount() == 0) {
            return guard.call("CreateNetworkInterface", () -> ec2.createNetworkInterface(request));
        }
        Eni bare = guard.call("CreateNetworkInterface", () -> ec2.createNetworkInterface(new CreateEni(
                request.subnetId(), request.description(), request.securityGroupIds(), 0, 0, request.tags())));
        List<String> added;
        try {
            guard.call("DescribeInstances", () -> ec2.describeInstance(instanceId));
            added = guard.call("AssignPrivateIpAddresses",
                    () -> ec2.assignPrivateIpAddresses(bare.id(), request.secondaryIpCount()));
        } catch (Ec2Failure failure) {
            // aws-vpc-cni's ENI is attached by then and stays without addresses until a later top-up; so does this one.
            added = List.of();
        }
        return new Eni(bare.id(), bare.mac(), bare.subnetId(), bare.primaryIp(), added, bare.prefixes(),
                bare.deviceIndex(), bare.attachmentId(), bare.attachedInstanceId(), bare.status(), bare.description(),
                bare.securityGroupIds(), bare.tags());
    }
}
