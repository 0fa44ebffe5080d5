package io.vpccni.eni.aws;

import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.InstanceLimits;
import io.vpccni.eni.model.Subnet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * EC2's XML replies to our records, by the element names of EC2's API reference (networkInterfaceSet/item,
 * privateIpAddressesSet, ipv4PrefixSet, attachment, tagSet, subnetSet, instanceTypeSet). Pure.
 */
final class Ec2Mapping {

    private Ec2Mapping() {}

    /** A {@code networkInterface} element, or an item of {@code networkInterfaceSet}. */
    static Eni eni(XmlElement ni) {
        List<String> secondary = ni.items("privateIpAddressesSet").stream()
                .filter(ip -> !ip.text("primary").map(Boolean::parseBoolean).orElse(false))
                .map(ip -> required(ip, "privateIpAddress"))
                .toList();
        Optional<XmlElement> attachment = ni.child("attachment");
        return new Eni(
                required(ni, "networkInterfaceId"),
                ni.text("macAddress").orElse(null),
                ni.text("subnetId").orElse(null),
                ni.text("privateIpAddress").orElse(null),
                secondary,
                ni.items("ipv4PrefixSet").stream().map(p -> required(p, "ipv4Prefix")).toList(),
                attachment.flatMap(a -> a.text("deviceIndex")).map(i -> integer(ni, "deviceIndex", i)).orElse(-1),
                attachment.flatMap(a -> a.text("attachmentId")),
                attachment.flatMap(a -> a.text("instanceId")),
                ni.text("status").orElse(null),
                ni.text("description").orElse(""),
                ni.items("groupSet").stream().map(g -> required(g, "groupId")).toList(),
                tags(ni));
    }

    /** An item of {@code subnetSet}. */
    static Subnet subnet(XmlElement subnet) {
        return new Subnet(required(subnet, "subnetId"), subnet.text("vpcId").orElse(null),
                subnet.text("availabilityZone").orElse(null), subnet.text("cidrBlock").orElse(null),
                subnet.text("availableIpAddressCount").map(n -> integer(subnet, "availableIpAddressCount", n))
                        .orElse(0),
                tags(subnet));
    }

    /** An item of {@code instanceTypeSet}. */
    static InstanceLimits limits(XmlElement info) {
        String type = required(info, "instanceType");
        XmlElement network = info.child("networkInfo").orElseThrow(() -> new IllegalArgumentException(
                "EC2 described instance type " + type + " without its networkInfo"));
        int cards = network.text("maximumNetworkCards").map(n -> integer(network, "maximumNetworkCards", n)).orElse(1);
        // aws-vpc-cni treats Nitro instances as the ones that support prefix delegation.
        boolean nitro = info.text("hypervisor").map("nitro"::equals).orElse(false);
        return new InstanceLimits(type, integer(network, "maximumNetworkInterfaces",
                required(network, "maximumNetworkInterfaces")),
                integer(network, "ipv4AddressesPerInterface", required(network, "ipv4AddressesPerInterface")),
                cards, nitro);
    }

    private static Map<String, String> tags(XmlElement resource) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (XmlElement tag : resource.items("tagSet")) {
            tags.put(required(tag, "key"), tag.text("value").orElse(""));
        }
        return tags;
    }

    private static String required(XmlElement element, String name) {
        return element.text(name).orElseThrow(() -> new IllegalArgumentException(
                "EC2's " + element.name() + " element has no " + name));
    }

    private static int integer(XmlElement element, String name, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "EC2's " + element.name() + " element has " + name + " '" + value + "', not a number", e);
        }
    }
}
