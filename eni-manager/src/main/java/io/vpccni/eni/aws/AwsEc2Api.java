package io.vpccni.eni.aws;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.model.Subnet;
import io.vpccni.eni.port.Ec2Api;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AssignPrivateIpAddressesResponse;
import software.amazon.awssdk.services.ec2.model.AssignedPrivateIpAddress;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.InstanceTypeHypervisor;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.Ipv4PrefixSpecification;
import software.amazon.awssdk.services.ec2.model.NetworkInterfaceAttachmentChanges;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** {@link Ec2Api} over the AWS SDK v2, every request through the {@link Ec2Guard}. */
public final class AwsEc2Api implements Ec2Api {

    private final Ec2Client ec2;
    private final Ec2Guard guard;

    public AwsEc2Api(Ec2Client ec2, Ec2Guard guard) {
        this.ec2 = ec2;
        this.guard = guard;
    }

    @Override
    public Eni createNetworkInterface(CreateEni request) {
        return call("CreateNetworkInterface", () -> {
            var builder = software.amazon.awssdk.services.ec2.model.CreateNetworkInterfaceRequest.builder()
                    .subnetId(request.subnetId())
                    .description(request.description())
                    .groups(request.securityGroupIds())
                    .tagSpecifications(TagSpecification.builder()
                            .resourceType(ResourceType.NETWORK_INTERFACE)
                            .tags(tags(request.tags()))
                            .build());
            if (request.prefixCount() > 0) {
                builder.ipv4PrefixCount(request.prefixCount());
            } else if (request.secondaryIpCount() > 0) {
                builder.secondaryPrivateIpAddressCount(request.secondaryIpCount());
            }
            return Ec2Mapping.eni(ec2.createNetworkInterface(builder.build()).networkInterface());
        });
    }

    @Override
    public String attachNetworkInterface(String eniId, String instanceId, int deviceIndex) {
        return call("AttachNetworkInterface", () -> ec2.attachNetworkInterface(b -> b
                .networkInterfaceId(eniId).instanceId(instanceId).deviceIndex(deviceIndex)).attachmentId());
    }

    @Override
    public void setDeleteOnTermination(String eniId, String attachmentId) {
        run("ModifyNetworkInterfaceAttribute", () -> ec2.modifyNetworkInterfaceAttribute(b -> b
                .networkInterfaceId(eniId)
                .attachment(NetworkInterfaceAttachmentChanges.builder()
                        .attachmentId(attachmentId).deleteOnTermination(true).build())));
    }

    @Override
    public List<String> assignPrivateIpAddresses(String eniId, int count) {
        AssignPrivateIpAddressesResponse reply = call("AssignPrivateIpAddresses",
                () -> ec2.assignPrivateIpAddresses(b -> b.networkInterfaceId(eniId).secondaryPrivateIpAddressCount(count)));
        return reply.assignedPrivateIpAddresses().stream().map(AssignedPrivateIpAddress::privateIpAddress).toList();
    }

    @Override
    public void unassignPrivateIpAddresses(String eniId, List<String> addresses) {
        run("UnassignPrivateIpAddresses", () -> ec2.unassignPrivateIpAddresses(b -> b
                .networkInterfaceId(eniId).privateIpAddresses(addresses)));
    }

    @Override
    public List<String> assignIpv4Prefixes(String eniId, int count) {
        AssignPrivateIpAddressesResponse reply = call("AssignPrivateIpAddresses",
                () -> ec2.assignPrivateIpAddresses(b -> b.networkInterfaceId(eniId).ipv4PrefixCount(count)));
        return reply.assignedIpv4Prefixes().stream().map(Ipv4PrefixSpecification::ipv4Prefix).toList();
    }

    @Override
    public void unassignIpv4Prefixes(String eniId, List<String> prefixes) {
        run("UnassignPrivateIpAddresses", () -> ec2.unassignPrivateIpAddresses(b -> b
                .networkInterfaceId(eniId).ipv4Prefixes(prefixes)));
    }

    @Override
    public void detachNetworkInterface(String attachmentId, boolean force) {
        run("DetachNetworkInterface", () -> ec2.detachNetworkInterface(b -> b
                .attachmentId(attachmentId).force(force)));
    }

    @Override
    public void deleteNetworkInterface(String eniId) {
        run("DeleteNetworkInterface", () -> ec2.deleteNetworkInterface(b -> b.networkInterfaceId(eniId)));
    }

    @Override
    public List<Eni> describeNetworkInterfaces(EniQuery query) {
        List<Filter> filters = new ArrayList<>();
        query.attachedInstanceId().ifPresent(id -> filters.add(filter("attachment.instance-id", id)));
        query.status().ifPresent(status -> filters.add(filter("status", status)));
        query.tags().forEach((key, value) -> filters.add(filter("tag:" + key, value)));
        query.tagKeys().forEach(key -> filters.add(filter("tag-key", key)));
        return call("DescribeNetworkInterfaces", () -> ec2.describeNetworkInterfacesPaginator(b -> {
            if (!query.ids().isEmpty()) {
                b.networkInterfaceIds(query.ids());
            }
            if (!filters.isEmpty()) {
                b.filters(filters);
            }
        }).networkInterfaces().stream().map(Ec2Mapping::eni).toList());
    }

    @Override
    public void createTags(String resourceId, Map<String, String> tags) {
        run("CreateTags", () -> ec2.createTags(b -> b.resources(resourceId).tags(tags(tags))));
    }

    @Override
    public List<Subnet> describeSubnets(SubnetQuery query) {
        List<Filter> filters = new ArrayList<>();
        query.vpcId().ifPresent(id -> filters.add(filter("vpc-id", id)));
        query.availabilityZone().ifPresent(az -> filters.add(filter("availability-zone", az)));
        query.tagKeys().forEach(key -> filters.add(filter("tag-key", key)));
        return call("DescribeSubnets", () -> ec2.describeSubnetsPaginator(b -> {
            if (!query.ids().isEmpty()) {
                b.subnetIds(query.ids());
            }
            if (!filters.isEmpty()) {
                b.filters(filters);
            }
        }).subnets().stream().map(Ec2Mapping::subnet).toList());
    }

    @Override
    public Optional<InstanceLimits> describeInstanceType(String instanceType) {
        try {
            return call("DescribeInstanceTypes", () -> ec2.describeInstanceTypes(b -> b
                    .instanceTypesWithStrings(instanceType)).instanceTypes().stream().findFirst().map(AwsEc2Api::limits));
        } catch (Ec2Failure.Other e) {
            if (e.errorCode().startsWith("InvalidInstanceType")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static InstanceLimits limits(InstanceTypeInfo info) {
        var network = info.networkInfo();
        int cards = network.maximumNetworkCards() == null ? 1 : network.maximumNetworkCards();
        // aws-vpc-cni treats Nitro instances as the ones that support prefix delegation.
        boolean nitro = info.hypervisor() == InstanceTypeHypervisor.NITRO;
        return new InstanceLimits(info.instanceTypeAsString(), network.maximumNetworkInterfaces(),
                network.ipv4AddressesPerInterface(), cards, nitro);
    }

    private static Filter filter(String name, String value) {
        return Filter.builder().name(name).values(value).build();
    }

    /**
     * Through the guard, with the SDK's exceptions turned into {@link Ec2Failure}s inside each attempt: the guard
     * decides retries and the circuit on those, and only this package knows EC2's error codes.
     */
    private <T> T call(String operation, Supplier<T> request) {
        return guard.call(operation, () -> {
            try {
                return request.get();
            } catch (RuntimeException e) {
                throw AwsErrors.classify(operation, e);
            }
        });
    }

    private void run(String operation, Runnable request) {
        call(operation, () -> {
            request.run();
            return null;
        });
    }

    private static List<Tag> tags(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }
}
