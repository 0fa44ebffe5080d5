package io.vpccni.it.vpc;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.ip.Ipv4Address;
import java.net.Inet4Address;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.NetworkInterfacePrivateIpAddress;

/**
 * What the fabric should look like for the emulator's ENI state: one link per ENI attached to a node's instance
 * (once the attachment is complete, as a device appears on EC2),
 * and a route for every secondary address and prefix, to the primary address of the ENI that owns it. A pure
 * function of the DescribeNetworkInterfaces answer.
 *
 * @param links  by ENI id
 * @param routes secondary addresses and prefixes, each to the ENI id that owns it
 * @param clashes addresses two ENIs claim (EC2, and the emulator with its fidelity layer, never hand one address to
 *                two ENIs: a clash is a bug of the emulator, reported rather than hidden); routed to the ENI
 *                with the lower device index and reported, never silently
 */
public record FabricPlan(Map<String, EniLink> links, Map<IpPrefix, String> routes, List<String> clashes) {

    public static FabricPlan of(List<NetworkInterface> enis, Map<String, Integer> nodeOfInstance,
                                Function<String, Optional<IpPrefix>> subnetCidr) {
        Map<String, EniLink> links = new LinkedHashMap<>();
        Map<IpPrefix, String> routes = new LinkedHashMap<>();
        List<String> clashes = new java.util.ArrayList<>();
        List<NetworkInterface> attached = enis.stream()
                .filter(ni -> ni.attachment() != null && nodeOfInstance.containsKey(ni.attachment().instanceId())
                        && "attached".equals(ni.attachment().statusAsString()))
                .sorted(Comparator.comparing((NetworkInterface ni) -> nodeOfInstance.get(ni.attachment().instanceId()))
                        .thenComparing(ni -> ni.attachment().deviceIndex()))
                .toList();
        Map<IpPrefix, String> primaries = new LinkedHashMap<>();
        for (NetworkInterface ni : attached) {
            Optional<IpPrefix> subnet = subnetCidr.apply(ni.subnetId());
            if (subnet.isEmpty()) {
                continue; // a subnet we have not seen yet: the next pass picks the ENI up
            }
            EniLink link = new EniLink(ni.networkInterfaceId(), nodeOfInstance.get(ni.attachment().instanceId()),
                    ni.attachment().deviceIndex(),
                    MacAddress.parse(ni.macAddress()),
                    Ipv4Address.parse(ni.privateIpAddress()).toInet(), subnet.get());
            links.put(link.eniId(), link);
            primaries.put(IpPrefix.host(link.primaryIp()), link.eniId());
        }
        for (NetworkInterface ni : attached) {
            if (!links.containsKey(ni.networkInterfaceId())) {
                continue;
            }
            for (NetworkInterfacePrivateIpAddress ip : ni.privateIpAddresses()) {
                if (!Boolean.TRUE.equals(ip.primary())) {
                    claim(IpPrefix.host(Ipv4Address.parse(ip.privateIpAddress()).toInet()), ni.networkInterfaceId(),
                            primaries, routes, clashes);
                }
            }
            ni.ipv4Prefixes().forEach(p -> claim(IpPrefix.parse(p.ipv4Prefix()), ni.networkInterfaceId(), primaries,
                    routes, clashes));
        }
        return new FabricPlan(Map.copyOf(links), Map.copyOf(routes), List.copyOf(clashes));
    }

    private static void claim(IpPrefix prefix, String eniId, Map<IpPrefix, String> primaries,
                              Map<IpPrefix, String> routes, List<String> clashes) {
        String owner = primaries.containsKey(prefix) ? primaries.get(prefix) : routes.get(prefix);
        if (owner != null && !owner.equals(eniId)) {
            clashes.add(prefix + " claimed by " + owner + " and " + eniId);
            return;
        }
        routes.put(prefix, eniId);
    }

    /** The primary address of the ENI that owns {@code address}, as the next hop the fabric routes it to. */
    public Optional<Inet4Address> nextHop(IpPrefix address) {
        return Optional.ofNullable(routes.get(address)).map(links::get).map(EniLink::primaryIp);
    }
}
