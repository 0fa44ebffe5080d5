package io.vpccni.netlink.ip;

/**
 * An IPv4 address held as its 32 bits, so ordering and arithmetic are cheap and exact.
 * Ordering is unsigned (10.0.0.1 < 192.168.0.1), which is what "lowest free address" means.
 */
public record Ipv4Address(int bits) implements Comparable<Ipv4Address> {

    /** Parses dotted-quad notation; rejects anything else (no leading '+', no octal, no IPv6). */
    public static Ipv4Address parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            bits = (bits << 8) | octet;
        }
        return new Ipv4Address(bits);
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
