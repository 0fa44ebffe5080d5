package io.vpccni.netlink.api;

import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An address with a prefix length, as in {@code 10.0.0.0/16} or {@code 10.0.0.5/32}. Used for
 * route destinations, rule selectors and interface addresses. Host bits are kept as given (an
 * interface address {@code 10.0.0.5/24} is meaningful); the kernel rejects misaligned route
 * destinations itself. IPv4 or IPv6, so the encoding stays general.
 */
public record IpPrefix(InetAddress address, int length) {
    public IpPrefix {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length " + length + " out of range for " + address.getHostAddress());
        }
    }

    /** {@code 0.0.0.0/0}. */
    public static IpPrefix defaultIpv4() {
        return new IpPrefix(new Ipv4Address(0).toInet(), 0);
    }

    /** A single host: /32 for IPv4, /128 for IPv6. */
    public static IpPrefix host(InetAddress address) {
        return new IpPrefix(address, address instanceof Inet4Address ? 32 : 128);
    }

    /** Parses {@code "10.0.0.0/8"}; a bare address means a host prefix. Numeric literals only, no DNS. */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
        return slash < 0 ? host(address) : new IpPrefix(address, Integer.parseInt(text.substring(slash + 1)));
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** The block as a prefix of its network address. */
    public static IpPrefix of(Ipv4Cidr cidr) {
        return new IpPrefix(cidr.network().toInet(), cidr.prefixLength());
    }

    /** This IPv4 prefix as a block, its host bits cleared ({@code 10.0.1.7/24} is {@code 10.0.1.0/24}); refuses IPv6. */
    public Ipv4Cidr toIpv4Cidr() {
        if (!isIpv4()) {
            throw new IllegalArgumentException("not an IPv4 CIDR: " + this);
        }
        return new Ipv4Cidr(Ipv4Address.of(address), length);
    }

    /** Parses a numeric IP literal ({@link InetAddress#ofLiteral}); never a DNS lookup. */
    static InetAddress literal(String text) {
        return InetAddress.ofLiteral(text);
    }

    // equals and hashCode written out: a record's generated ones are bootstrapped through
    // invokedynamic on first use, ~40 ms of interpreted method-handle work in a CNI DEL that the
    // AOT cache does not keep (BENCHMARKS.md).
    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix other && length == other.length && address.equals(other.address);
    }

    @Override
    public int hashCode() {
        return 31 * address.hashCode() + length;
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + length;
    }
}
