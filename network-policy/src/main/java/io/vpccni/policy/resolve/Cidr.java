package io.vpccni.policy.resolve;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 prefix parsed from its text, normalised to its network address ("10.0.1.7/16" is 10.0.0.0/16), so
 * that the rules we write compare equal however a policy spelled them. Parsing never resolves a name: only literal
 * addresses are accepted.
 */
record Cidr(byte[] network, int bits) {

    static Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new UnresolvablePolicyException("\"" + text + "\" is not a CIDR (no prefix length)");
        }
        byte[] address = literal(text.substring(0, slash), text);
        int bits;
        try {
            bits = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new UnresolvablePolicyException("\"" + text + "\" has no numeric prefix length");
        }
        if (bits < 0 || bits > address.length * 8) {
            throw new UnresolvablePolicyException("\"" + text + "\": prefix length " + bits + " is out of range");
        }
        return new Cidr(mask(address, bits), bits);
    }

    /** The host prefix of a pod's address: /32 for IPv4, /128 for IPv6. */
    static Cidr host(String address) {
        byte[] bytes = literal(address, address);
        return new Cidr(bytes, bytes.length * 8);
    }

    boolean contains(Cidr other) {
        return other.network.length == network.length && other.bits >= bits
                && Arrays.equals(mask(other.network, bits), network);
    }

    boolean isV4() {
        return network.length == 4;
    }

    private static byte[] mask(byte[] address, int bits) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    /** A literal IPv4 (dotted quad) or IPv6 address; anything else is rejected, nothing is looked up. */
    private static byte[] literal(String address, String whole) {
        if (address.contains(":")) {
            return v6(address, whole);
        }
        String[] parts = address.split("\\.", -1);
        if (parts.length != 4) {
            throw new UnresolvablePolicyException("\"" + whole + "\" is not an IP address or CIDR");
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            out[i] = (byte) octet(parts[i], 255, 10, whole);
        }
        return out;
    }

    private static byte[] v6(String address, String whole) {
        String[] halves = address.split("::", -1);
        if (halves.length > 2) {
            throw new UnresolvablePolicyException("\"" + whole + "\" is not an IP address or CIDR");
        }
        String[] head = halves[0].isEmpty() ? new String[0] : halves[0].split(":", -1);
        String[] tail = halves.length == 1 || halves[1].isEmpty() ? new String[0] : halves[1].split(":", -1);
        int groups = head.length + tail.length;
        if (halves.length == 1 ? groups != 8 : groups > 7) {
            throw new UnresolvablePolicyException("\"" + whole + "\" is not an IP address or CIDR");
        }
        BigInteger value = BigInteger.ZERO;
        for (String g : head) {
            value = value.shiftLeft(16).or(BigInteger.valueOf(octet(g, 0xffff, 16, whole)));
        }
        value = value.shiftLeft(16 * (8 - head.length));
        BigInteger low = BigInteger.ZERO;
        for (String g : tail) {
            low = low.shiftLeft(16).or(BigInteger.valueOf(octet(g, 0xffff, 16, whole)));
        }
        value = value.or(low);
        byte[] raw = value.toByteArray();
        byte[] out = new byte[16];
        int copy = Math.min(raw.length, 16);
        System.arraycopy(raw, raw.length - copy, out, 16 - copy, copy);
        return out;
    }

    private static int octet(String part, int max, int radix, String whole) {
        if (part.isEmpty() || part.length() > (radix == 10 ? 3 : 4)) {
            throw new UnresolvablePolicyException("\"" + whole + "\" is not an IP address or CIDR");
        }
        try {
            int v = Integer.parseInt(part, radix);
            if (v < 0 || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UnresolvablePolicyException("\"" + whole + "\" is not an IP address or CIDR");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.bits == bits && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + bits;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (isV4()) {
            for (int i = 0; i < 4; i++) {
                s.append(i == 0 ? "" : ".").append(network[i] & 0xff);
            }
        } else {
            // RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as "::"
            int[] g = new int[8];
            for (int i = 0; i < 8; i++) {
                g[i] = ((network[2 * i] & 0xff) << 8) | (network[2 * i + 1] & 0xff);
            }
            int bestStart = -1;
            int bestLength = 1;
            for (int i = 0; i < 8; ) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLength) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j == i ? i + 1 : j;
            }
            for (int i = 0; i < 8; i++) {
                if (i == bestStart) {
                    s.append("::");
                    i += bestLength - 1;
                    continue;
                }
                if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                    s.append(':');
                }
                s.append(Integer.toHexString(g[i]));
            }
        }
        return s.append('/').append(bits).toString();
    }
}
