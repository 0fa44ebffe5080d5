package io.vpccni.cni.dataplane;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Route;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * What one pod interface is wired with: the host veth's name, the interface name inside the pod
 * (CNI_IFNAME), the pod's address, the route table its egress uses (254, main, for the primary
 * ENI; N+1 for the ENI at device N) and the MTU of both veth ends.
 */
public record PodAttachment(String hostVeth, String ifName, Inet4Address podIp, int table, int mtu) {
    public PodAttachment {
        Objects.requireNonNull(hostVeth, "hostVeth");
        Objects.requireNonNull(ifName, "ifName");
        Objects.requireNonNull(podIp, "podIp");
        if (table <= 0) {
            throw new IllegalArgumentException("route table must be positive: " + table);
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU out of range: " + mtu);
        }
    }

    public IpPrefix hostPrefix() {
        return IpPrefix.host(podIp);
    }

    /** Only pods on a secondary ENI need the source rule; the primary ENI's pods use main. */
    public boolean onSecondaryEni() {
        return table != Route.TABLE_MAIN;
    }

    public String ip() {
        return podIp.getHostAddress();
    }
}
