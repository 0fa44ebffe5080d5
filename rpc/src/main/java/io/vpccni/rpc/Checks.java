package io.vpccni.rpc;

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
        String[] parts = value.split("\\.", -1);
        boolean ok = parts.length == 4;
        for (int i = 0; ok && i < 4; i++) {
            ok = isOctet(parts[i]);
        }
        if (!ok) {
            throw new IllegalArgumentException(field + " is not an IPv4 address: '" + value + "'");
        }
        return value;
    }

    /** IPv4 CIDR such as 10.0.64.0/19. */
    static String ipv4Cidr(String field, String value) {
        nonBlank(field, value);
        int slash = value.indexOf('/');
        if (slash < 0 || !isInt(value.substring(slash + 1), 0, 32)) {
            throw new IllegalArgumentException(field + " is not an IPv4 CIDR: '" + value + "'");
        }
        ipv4(field, value.substring(0, slash));
        return value;
    }

    private static boolean isOctet(String s) {
        return !s.isEmpty() && s.length() <= 3 && (s.length() == 1 || s.charAt(0) != '0')
                && isInt(s, 0, 255);
    }

    private static boolean isInt(String s, int min, int max) {
        if (s.isEmpty() || s.length() > 3) {
            return false;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            v = v * 10 + (c - '0');
        }
        return v >= min && v <= max;
    }
}
