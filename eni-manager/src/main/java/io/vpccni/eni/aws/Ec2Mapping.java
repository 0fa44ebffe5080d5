package io.vpccni.eni.aws;

import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.Subnet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.Ipv4PrefixSpecification;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.NetworkInterfacePrivateIpAddress;
import software.amazon.awssdk.services.ec2.model.Tag;

/** SDK model to our records; SDK types never leave the aws package. */
final class Ec2Mapping {

    private Ec2Mapping() {}

    static Eni eni(NetworkInterface ni) {
        List<String> secondary = ni.privateIpAddresses().stream()
                .filter(ip -> !Boolean.TRUE.equals(ip.primary()))
                .map(NetworkInterfacePrivateIpAddress::privateIpAddress)
                .toList();
        var attachment = Optional.ofNullable(ni.attachment());
        return new Eni(
                ni.networkInterfaceId(),
                ni.macAddress(),
                ni.subnetId(),
                ni.privateIpAddress(),
                secondary,
                ni.ipv4Prefixes().stream().map(Ipv4PrefixSpecification::ipv4Prefix).toList(),
                attachment.map(a -> a.deviceIndex() == null ? -1 : a.deviceIndex()).orElse(-1),
                attachment.map(a -> a.attachmentId()),
                attachment.map(a -> a.instanceId()),
                ni.statusAsString(),
                ni.description() == null ? "" : ni.description(),
                ni.groups().stream().map(GroupIdentifier::groupId).toList(),
                tags(ni.tagSet()));
    }

    static Subnet subnet(software.amazon.awssdk.services.ec2.model.Subnet subnet) {
        return new Subnet(subnet.subnetId(), subnet.vpcId(), subnet.availabilityZone(), subnet.cidrBlock(),
                subnet.availableIpAddressCount() == null ? 0 : subnet.availableIpAddressCount(), tags(subnet.tags()));
    }

    private static Map<String, String> tags(List<Tag> tags) {
        return tags.stream().collect(Collectors.toMap(Tag::key, t -> t.value() == null ? "" : t.value(), (a, b) -> b));
    }
}
