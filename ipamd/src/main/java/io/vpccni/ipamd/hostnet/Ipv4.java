package io.vpccni.ipamd.hostnet;

import io.vpccni.netlink.api.IpPrefix;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IPv4 arithmetic the host-network plans need: network address of a CIDR and the VPC subnet gateway. */
final class Ipv4 {
    private Ipv4() {}

    static int toInt(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("not an IPv4 address: " + address.getHostAddress());
        }
        byte[] b = address.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    static Inet4Address fromInt(int value) {
        byte[] b = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always a valid IPv4 address", e);
        }
    }

    static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    /** {@code 10.0.1.7/24} becomes {@code 10.0.1.0/24}: the form the kernel and iptables-save report. */
    static IpPrefix network(IpPrefix prefix) {
        requireIpv4(prefix);
        return new IpPrefix(fromInt(toInt(prefix.address()) & mask(prefix.length())), prefix.length());
    }

    /** The VPC router of a subnet answers on the subnet's first host address (network + 1). */
    static Inet4Address gateway(IpPrefix subnet) {
        requireIpv4(subnet);
        if (subnet.length() > 30) {
            throw new IllegalArgumentException("subnet " + subnet + " is too small to have a gateway");
        }
        return fromInt((toInt(subnet.address()) & mask(subnet.length())) + 1);
    }

    static boolean contains(IpPrefix prefix, InetAddress address) {
        int m = mask(prefix.length());
        return (toInt(prefix.address()) & m) == (toInt(address) & m);
    }

    static IpPrefix requireIpv4(IpPrefix prefix) {
        if (!prefix.isIpv4()) {
            throw new IllegalArgumentException("not an IPv4 CIDR: " + prefix);
        }
        return prefix;
    }
}
