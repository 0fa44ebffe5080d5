package io.vpccni.netlink.ip;

/**
 * An IPv4 block: a /32 secondary IP or a /28 delegated prefix in the pool, or any block in configuration.
 * The network address is always normalised (host bits cleared), as Go's net.ParseCIDR does.
 */
public record Ipv4Cidr(Ipv4Address network, int prefixLength) implements Comparable<Ipv4Cidr> {

    public Ipv4Cidr {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32, was " + prefixLength);
        }
        network = new Ipv4Address(network.bits() & mask(prefixLength));
    }

    /** Whether {@link #parse} takes {@code text} (host bits may be set); no exception, for the plugin's path. */
    public static boolean isLiteral(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return false;
        }
        return lengthOf(text, slash) >= 0 && Ipv4Address.isLiteral(text.substring(0, slash));
    }

    /** The one or two digits after the slash as a length 0..32, or -1; a loop: no stream on the plugin's path. */
    private static int lengthOf(String text, int slash) {
        int digits = text.length() - slash - 1;
        if (digits < 1 || digits > 2) {
            return -1;
        }
        int length = 0;
        for (int i = slash + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            length = length * 10 + (c - '0');
        }
        return length <= 32 ? length : -1;
    }

    /** Parses "a.b.c.d/n"; a bare address is not accepted (say /32 explicitly). */
    public static Ipv4Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an IPv4 CIDR (missing /length): '" + text + "'");
        }
        String length = text.substring(slash + 1);
        if (length.isEmpty() || length.length() > 2 || !length.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("not an IPv4 CIDR: '" + text + "'");
        }
        int prefixLength = Integer.parseInt(length);
        if (prefixLength > 32) {
            throw new IllegalArgumentException("not an IPv4 CIDR (length > 32): '" + text + "'");
        }
        return new Ipv4Cidr(Ipv4Address.parse(text.substring(0, slash)), prefixLength);
    }

    public static Ipv4Cidr single(Ipv4Address address) {
        return new Ipv4Cidr(address, 32);
    }

    /** Number of addresses in the block (1 for a /32, 16 for a /28). Capped at 2^31-1 for a /0 or /1. */
    public int size() {
        return prefixLength == 0 ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, 1L << (32 - prefixLength));
    }

    public Ipv4Address address(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException(index + " outside " + this);
        }
        return network.plus(index);
    }

    /** The VPC router of a subnet answers on the subnet's first host address (network + 1). */
    public Ipv4Address gateway() {
        if (prefixLength > 30) {
            throw new IllegalArgumentException("subnet " + this + " is too small to have a gateway");
        }
        return network.plus(1);
    }

    public boolean contains(Ipv4Address address) {
        return (address.bits() & mask(prefixLength)) == network.bits();
    }

    public int indexOf(Ipv4Address address) {
        if (!contains(address)) {
            throw new IllegalArgumentException(address + " is not in " + this);
        }
        return address.bits() - network.bits();
    }

    @Override
    public int compareTo(Ipv4Cidr other) {
        int byNetwork = network.compareTo(other.network);
        return byNetwork != 0 ? byNetwork : Integer.compare(prefixLength, other.prefixLength);
    }

    @Override
    public String toString() {
        return network + "/" + prefixLength;
    }

    private static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }
}
