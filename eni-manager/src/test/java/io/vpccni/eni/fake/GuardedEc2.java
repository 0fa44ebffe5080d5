package io.vpccni.eni.fake;

import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.model.Subnet;
import io.vpccni.eni.port.Ec2Api;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@link Ec2Api} whose every call goes through an {@link Ec2Guard}, named by its EC2 API, as {@code AwsEc2Api}
 * sends every SDK request: the in-memory EC2 behind the same rate limit, retries and circuit breaker as the daemon's
 * (the fleet simulator's nodes, the emulator cross-check).
 */
public class GuardedEc2 implements Ec2Api {

    protected final Ec2Api api;
    protected final Ec2Guard guard;

    public GuardedEc2(Ec2Api api, Ec2Guard guard) {
        this.api = api;
        this.guard = guard;
    }

    @Override
    public Eni createNetworkInterface(CreateEni request) {
        return guard.call("CreateNetworkInterface", () -> api.createNetworkInterface(request));
    }

    @Override
    public String attachNetworkInterface(String eniId, String instance, int deviceIndex) {
        return guard.call("AttachNetworkInterface", () -> api.attachNetworkInterface(eniId, instance, deviceIndex));
    }

    @Override
    public void setDeleteOnTermination(String eniId, String attachmentId) {
        guard.run("ModifyNetworkInterfaceAttribute", () -> api.setDeleteOnTermination(eniId, attachmentId));
    }

    @Override
    public List<String> assignPrivateIpAddresses(String eniId, int count) {
        return guard.call("AssignPrivateIpAddresses", () -> api.assignPrivateIpAddresses(eniId, count));
    }

    @Override
    public void unassignPrivateIpAddresses(String eniId, List<String> addresses) {
        guard.run("UnassignPrivateIpAddresses", () -> api.unassignPrivateIpAddresses(eniId, addresses));
    }

    @Override
    public List<String> assignIpv4Prefixes(String eniId, int count) {
        return guard.call("AssignPrivateIpAddresses", () -> api.assignIpv4Prefixes(eniId, count));
    }

    @Override
    public void unassignIpv4Prefixes(String eniId, List<String> prefixes) {
        guard.run("UnassignPrivateIpAddresses", () -> api.unassignIpv4Prefixes(eniId, prefixes));
    }

    @Override
    public void detachNetworkInterface(String attachmentId, boolean force) {
        guard.run("DetachNetworkInterface", () -> api.detachNetworkInterface(attachmentId, force));
    }

    @Override
    public void deleteNetworkInterface(String eniId) {
        guard.run("DeleteNetworkInterface", () -> api.deleteNetworkInterface(eniId));
    }

    @Override
    public List<Eni> describeNetworkInterfaces(EniQuery query) {
        return guard.call("DescribeNetworkInterfaces", () -> api.describeNetworkInterfaces(query));
    }

    @Override
    public void createTags(String resourceId, Map<String, String> tags) {
        guard.run("CreateTags", () -> api.createTags(resourceId, tags));
    }

    @Override
    public List<Subnet> describeSubnets(SubnetQuery query) {
        return guard.call("DescribeSubnets", () -> api.describeSubnets(query));
    }

    @Override
    public Optional<InstanceLimits> describeInstanceType(String instanceType) {
        return guard.call("DescribeInstanceTypes", () -> api.describeInstanceType(instanceType));
    }
}
