package io.vpccni.it.vpc;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** IPv4 arithmetic the fabric and the tests on the box need (gateway = network + 1, containment), nothing more. */
public final class Ipv4 {

    private Ipv4() {}

    public static Inet4Address parse(String literal) {
        return (Inet4Address) InetAddress.ofLiteral(literal);
    }

    public static boolean contains(io.vpccni.netlink.api.IpPrefix prefix, InetAddress address) {
        int mask = prefix.length() == 0 ? 0 : -1 << (32 - prefix.length());
        int net = ByteBuffer.wrap(prefix.address().getAddress()).getInt();
        return (net & mask) == (ByteBuffer.wrap(address.getAddress()).getInt() & mask);
    }

    /** The address as an unsigned number, for walking a range. */
    static long toLong(InetAddress address) {
        return Integer.toUnsignedLong(ByteBuffer.wrap(address.getAddress()).getInt());
    }

    static Inet4Address plus(InetAddress base, int offset) {
        int value = ByteBuffer.wrap(base.getAddress()).getInt() + offset;
        try {
            return (Inet4Address) InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(value).array());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }
}
