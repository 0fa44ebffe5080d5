package io.vpccni.netlink.api;

import java.util.Optional;

/**
 * A network device as the kernel reports it ({@code ip link show}).
 *
 * @param index ifindex, unique within its namespace
 * @param name  interface name (at most 15 characters)
 * @param mac   the hardware address when it is a 6-byte Ethernet one (not for lo-less tunnels etc.)
 * @param mtu   current MTU
 * @param up    administratively up (IFF_UP), which is what {@code ip link set up} changes
 * @param kind  the rtnetlink link kind ({@code "veth"}, {@code "bridge"}, ...); empty for
 *              physical devices and lo, which report no IFLA_LINKINFO
 */
public record Link(int index, String name, Optional<MacAddress> mac, int mtu, boolean up, Optional<String> kind) {
    public Link {
        java.util.Objects.requireNonNull(name, "name");
    }
}
