package io.vpccni.policy.agent.model;

import java.util.Optional;

/** IPv4 addresses as the unsigned 32-bit numbers they are, held in a long; dotted-quad in and out. */
public final class Ipv4 {

    private Ipv4() {}

    /** The address, or empty when {@code text} is not exactly four decimal octets. */
    public static Optional<Long> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        long value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Optional.empty();
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                return Optional.empty();
            }
            value = value << 8 | octet;
        }
        return Optional.of(value);
    }

    public static String format(long address) {
        return (address >>> 24 & 0xFF) + "." + (address >>> 16 & 0xFF) + "." + (address >>> 8 & 0xFF) + "."
                + (address & 0xFF);
    }

    /** Whether {@code text} is an IPv6 literal or CIDR (the agent enforces IPv4 only; pods here have no IPv6). */
    public static boolean isIpv6(String text) {
        return text != null && text.contains(":");
    }
}
