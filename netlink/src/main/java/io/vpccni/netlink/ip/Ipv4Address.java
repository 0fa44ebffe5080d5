package io.vpccni.netlink.ip;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 address held as its 32 bits, so ordering and arithmetic are cheap and exact.
 * Ordering is unsigned (10.0.0.1 < 192.168.0.1), which is what "lowest free address" means.
 */
public record Ipv4Address(int bits) implements Comparable<Ipv4Address> {

    /**
     * Parses dotted quads: four decimal octets 0..255 without leading zeros ({@code 10.0.0.5}), as Go's net.ParseIP
     * has read them since Go 1.17; rejects anything else (no '+', no octal, no IPv6, no host name).
     */
    public static Ipv4Address parse(String text) {
        long bits = bitsOf(text);
        if (bits < 0) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        return new Ipv4Address((int) bits);
    }

    /** Whether {@link #parse} takes {@code text}; no exception, for checks on the plugin's path. */
    public static boolean isLiteral(String text) {
        return bitsOf(text) >= 0;
    }

    /** The address of an {@code Inet4Address}; refuses IPv6. */
    public static Ipv4Address of(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("not an IPv4 address: " + address.getHostAddress());
        }
        byte[] b = address.getAddress();
        return new Ipv4Address((b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF));
    }

    /** This address for the JDK's sockets and netlink's values; no DNS. */
    public Inet4Address toInet() {
        byte[] b = {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an IPv4 address", e);
        }
    }

    /** The 32 bits as an unsigned number, for walking a range. */
    public long unsigned() {
        return Integer.toUnsignedLong(bits);
    }

    /** The address's bits as a non-negative long, or -1 when {@code text} is not four octets as {@link #parse} wants. */
    private static long bitsOf(String text) {
        int octets = 0;
        long bits = 0;
        int i = 0;
        while (octets < 4) {
            int start = i;
            int octet = 0;
            while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9' && i - start < 3) {
                octet = octet * 10 + (text.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || octet > 255 || digits > 1 && text.charAt(start) == '0') {
                return -1;
            }
            bits = bits << 8 | octet;
            octets++;
            if (octets < 4) {
                if (i >= text.length() || text.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
        }
        return i == text.length() ? bits : -1;
    }

    public Ipv4Address plus(int offset) {
        return new Ipv4Address(bits + offset);
    }

    @Override
    public int compareTo(Ipv4Address other) {
        return Integer.compareUnsigned(bits, other.bits);
    }

    @Override
    public String toString() {
        return ((bits >>> 24) & 0xff) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }
}
