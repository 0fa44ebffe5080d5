package io.vpccni.rpc.message;

import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;

/** Argument checks shared by the message records; failures become ProtocolExceptions on decode. */
final class Checks {
    private Checks() {}

    static String nonBlank(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        return value;
    }

    static String nonNull(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        return value;
    }

    static int range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    field + " must be in " + min + ".." + max + ", was " + value);
        }
        return value;
    }

    /** Dotted-quad IPv4 literal; parsed by hand so nothing can trigger a DNS lookup. */
    static String ipv4(String field, String value) {
        nonBlank(field, value);
        if (!Ipv4Address.isLiteral(value)) {
            throw new IllegalArgumentException(field + " is not an IPv4 address: '" + value + "'");
        }
        return value;
    }

    /** IPv4 CIDR such as 10.0.64.0/19. */
    static String ipv4Cidr(String field, String value) {
        nonBlank(field, value);
        if (!Ipv4Cidr.isLiteral(value)) {
            throw new IllegalArgumentException(field + " is not an IPv4 CIDR: '" + value + "'");
        }
        return value;
    }
}
