package io.vpccni.ipamd.hostnet;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.MacAddress;

import io.vpccni.netlink.ip.Ipv4Address;
import java.net.Inet4Address;
import java.util.Objects;

/**
 * A secondary ENI as the host must see it. The primary ENI (device index 0) routes through main and has no
 * per-ENI table, so it is rejected here.
 *
 * @param eniId       for log lines only ({@code eni-0abc...})
 * @param mac         how the link is found: the kernel's name for it is not predictable
 * @param deviceIndex EC2 device index, at least 1
 * @param primaryIp   the ENI's primary private address
 * @param subnet      the ENI subnet's CIDR; host bits are dropped
 */
public record SecondaryEni(String eniId, MacAddress mac, int deviceIndex, Inet4Address primaryIp, IpPrefix subnet) {
    public SecondaryEni {
        Objects.requireNonNull(eniId, "eniId");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(primaryIp, "primaryIp");
        if (deviceIndex < 1) {
            throw new IllegalArgumentException("ENI " + eniId + " has device index " + deviceIndex
                    + "; only secondary ENIs (device index >= 1) get a route table");
        }
        subnet = IpPrefix.of(subnet.toIpv4Cidr());
        if (!subnet.toIpv4Cidr().contains(Ipv4Address.of(primaryIp))) {
            throw new IllegalArgumentException("ENI " + eniId + " primary IP " + primaryIp.getHostAddress()
                    + " is outside its subnet " + subnet);
        }
    }

    /** docs/node-contract.md: the ENI at device index N uses table N+1, as aws-vpc-cni does. */
    public int routeTable() {
        return deviceIndex + 1;
    }

    public Inet4Address gateway() {
        return subnet.toIpv4Cidr().gateway().toInet();
    }

    @Override
    public String toString() {
        return eniId + " (" + mac + ", device " + deviceIndex + ", " + primaryIp.getHostAddress() + " in " + subnet + ")";
    }
}
