package io.vpccni.rpc;

/**
 * Dotted-quad IPv4 syntax, checked by hand: nothing can trigger a DNS lookup, and no InetAddress
 * machinery loads in the short-lived plugin. Shared by the message checks here and the plugin's
 * result parsing.
 */
public final class IpLiterals {
    private IpLiterals() {}

    /** Four decimal octets 0..255 without leading zeros, e.g. {@code 10.0.0.5}. */
    public static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (!isDecimal(p, 255) || p.length() > 1 && p.charAt(0) == '0') {
                return false;
            }
        }
        return true;
    }

    /** One to three ASCII digits with a value of at most {@code max}. */
    public static boolean isDecimal(String s, int max) {
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
        return v <= max;
    }
}
