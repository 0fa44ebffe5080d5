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
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link Ec2Api} over ipamd's own EC2 Query client ({@link Ec2QueryClient}, whose doc says why it is not the AWS
 * SDK's), every request through the {@link Ec2Guard}.
 */
public final class AwsEc2Api implements Ec2Api {

    private final Ec2QueryClient ec2;
    private final Ec2Guard guard;

    public AwsEc2Api(Ec2QueryClient ec2, Ec2Guard guard) {
        this.ec2 = ec2;
        this.guard = guard;
    }

    @Override
    public Eni createNetworkInterface(CreateEni request) {
        var form = new QueryForm("CreateNetworkInterface")
                .add("SubnetId", request.subnetId())
                .add("Description", request.description())
                .addList("SecurityGroupId", request.securityGroupIds())
                .add("TagSpecification.1.ResourceType", "network-interface")
                .addTags("TagSpecification.1.Tag", request.tags());
        if (request.prefixCount() > 0) {
            form.add("Ipv4PrefixCount", request.prefixCount());
        } else if (request.secondaryIpCount() > 0) {
            form.add("SecondaryPrivateIpAddressCount", request.secondaryIpCount());
        }
        return call(form, reply -> Ec2Mapping.eni(reply.child("networkInterface").orElseThrow(
                () -> new IllegalArgumentException("CreateNetworkInterface's reply has no networkInterface"))));
    }

    @Override
    public String attachNetworkInterface(String eniId, String instanceId, int deviceIndex) {
        return call(new QueryForm("AttachNetworkInterface")
                        .add("NetworkInterfaceId", eniId).add("InstanceId", instanceId).add("DeviceIndex", deviceIndex),
                reply -> reply.text("attachmentId").orElseThrow(
                        () -> new IllegalArgumentException("AttachNetworkInterface's reply has no attachmentId")));
    }

    @Override
    public void setDeleteOnTermination(String eniId, String attachmentId) {
        run(new QueryForm("ModifyNetworkInterfaceAttribute")
                .add("NetworkInterfaceId", eniId)
                .add("Attachment.AttachmentId", attachmentId)
                .add("Attachment.DeleteOnTermination", true));
    }

    @Override
    public List<String> assignPrivateIpAddresses(String eniId, int count) {
        return call(new QueryForm("AssignPrivateIpAddresses")
                        .add("NetworkInterfaceId", eniId).add("SecondaryPrivateIpAddressCount", count),
                reply -> reply.items("assignedPrivateIpAddressesSet").stream()
                        .flatMap(ip -> ip.text("privateIpAddress").stream()).toList());
    }

    @Override
    public void unassignPrivateIpAddresses(String eniId, List<String> addresses) {
        run(new QueryForm("UnassignPrivateIpAddresses")
                .add("NetworkInterfaceId", eniId).addList("PrivateIpAddress", addresses));
    }

    @Override
    public List<String> assignIpv4Prefixes(String eniId, int count) {
        return call(new QueryForm("AssignPrivateIpAddresses")
                        .add("NetworkInterfaceId", eniId).add("Ipv4PrefixCount", count),
                reply -> reply.items("assignedIpv4PrefixSet").stream()
                        .flatMap(prefix -> prefix.text("ipv4Prefix").stream()).toList());
    }

    @Override
    public void unassignIpv4Prefixes(String eniId, List<String> prefixes) {
        run(new QueryForm("UnassignPrivateIpAddresses")
                .add("NetworkInterfaceId", eniId).addList("Ipv4Prefix", prefixes));
    }

    @Override
    public void detachNetworkInterface(String attachmentId, boolean force) {
        run(new QueryForm("DetachNetworkInterface").add("AttachmentId", attachmentId).add("Force", force));
    }

    @Override
    public void deleteNetworkInterface(String eniId) {
        run(new QueryForm("DeleteNetworkInterface").add("NetworkInterfaceId", eniId));
    }

    @Override
    public List<Eni> describeNetworkInterfaces(EniQuery query) {
        List<Map.Entry<String, String>> filters = new ArrayList<>();
        query.attachedInstanceId().ifPresent(id -> filters.add(Map.entry("attachment.instance-id", id)));
        query.status().ifPresent(status -> filters.add(Map.entry("status", status)));
        query.tags().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(tag -> filters.add(Map.entry("tag:" + tag.getKey(), tag.getValue())));
        query.tagKeys().forEach(key -> filters.add(Map.entry("tag-key", key)));
        return pages("DescribeNetworkInterfaces",
                form -> form.addList("NetworkInterfaceId", query.ids()).addFilters(filters),
                reply -> reply.items("networkInterfaceSet").stream().map(Ec2Mapping::eni).toList());
    }

    @Override
    public void createTags(String resourceId, Map<String, String> tags) {
        run(new QueryForm("CreateTags").add("ResourceId.1", resourceId).addTags("Tag", tags));
    }

    @Override
    public List<Subnet> describeSubnets(SubnetQuery query) {
        List<Map.Entry<String, String>> filters = new ArrayList<>();
        query.vpcId().ifPresent(id -> filters.add(Map.entry("vpc-id", id)));
        query.availabilityZone().ifPresent(az -> filters.add(Map.entry("availability-zone", az)));
        query.tagKeys().forEach(key -> filters.add(Map.entry("tag-key", key)));
        return pages("DescribeSubnets",
                form -> form.addList("SubnetId", query.ids()).addFilters(filters),
                reply -> reply.items("subnetSet").stream().map(Ec2Mapping::subnet).toList());
    }

    @Override
    public Optional<InstanceLimits> describeInstanceType(String instanceType) {
        try {
            return call(new QueryForm("DescribeInstanceTypes").add("InstanceType.1", instanceType),
                    reply -> reply.items("instanceTypeSet").stream().findFirst().map(Ec2Mapping::limits));
        } catch (Ec2Failure.Other e) {
            if (e.errorCode().startsWith("InvalidInstanceType")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Every page of a describe, each page one guarded call: the request again with the {@code nextToken} of the
     * reply before, until a reply has none.
     */
    private <T> List<T> pages(String action, Function<QueryForm, QueryForm> request,
            Function<XmlElement, List<T>> items) {
        List<T> all = new ArrayList<>();
        Optional<String> next = Optional.empty();
        do {
            QueryForm form = request.apply(new QueryForm(action));
            next.ifPresent(token -> form.add("NextToken", token));
            XmlElement reply = call(form, Function.identity());
            all.addAll(map(action, () -> items.apply(reply)));
            next = reply.text("nextToken").filter(token -> !token.isBlank());
        } while (next.isPresent());
        return List.copyOf(all);
    }

    /**
     * Through the guard, with the client's exceptions turned into {@link Ec2Failure}s inside each attempt: the guard
     * decides retries and the circuit on those, and only this package knows EC2's error codes.
     */
    private <T> T call(QueryForm form, Function<XmlElement, T> reply) {
        String action = form.action();
        return guard.call(action, () -> {
            XmlElement root;
            try {
                root = ec2.call(form);
            } catch (RuntimeException e) {
                throw AwsErrors.classify(action, e);
            }
            return map(action, () -> reply.apply(root));
        });
    }

    /** A reply that does not read as EC2 documents it is EC2's failure, not a retryable one. */
    private static <T> T map(String action, Supplier<T> mapping) {
        try {
            return mapping.get();
        } catch (IllegalArgumentException e) {
            throw AwsErrors.classify(action, e);
        }
    }

    private void run(QueryForm form) {
        call(form, reply -> null);
    }
}
