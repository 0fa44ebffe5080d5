package io.vpccni.netlink.api;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An interface address with its prefix length, {@code 10.0.0.5/24} in {@code ip addr} terms.
 * Host bits are meaningful here, unlike in a route destination.
 */
public record Addr(InetAddress address, int prefixLength) {
    public Addr {
        new IpPrefix(address, prefixLength); // validates the length for the family
    }

    /** {@code "10.0.0.5/24"}; a bare address means /32 (or /128). */
    public static Addr parse(String text) {
        IpPrefix p = IpPrefix.parse(text);
        return new Addr(p.address(), p.length());
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    public IpPrefix asPrefix() {
        return new IpPrefix(address, prefixLength);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
