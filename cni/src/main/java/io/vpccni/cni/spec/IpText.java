package io.vpccni.cni.spec;

/**
 * Syntax checks for addresses in results. Text only, so nothing can trigger a DNS lookup and no
 * InetAddress machinery loads in the short-lived plugin. IPv6 is checked loosely (hex digits,
 * colons, an optional embedded IPv4 tail); the kernel is the final judge when it is applied.
 */
final class IpText {
    private IpText() {}

    static boolean isIp(String s) {
        return isIpv4(s) || isIpv6(s);
    }

    static boolean isCidr(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String ip = s.substring(0, slash);
        String prefix = s.substring(slash + 1);
        return isIpv4(ip) && isNumber(prefix, 32) || isIpv6(ip) && isNumber(prefix, 128);
    }

    static boolean isIpv6Cidr(String s) {
        return s.indexOf(':') >= 0;
    }

    static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (!isNumber(p, 255) || p.length() > 1 && p.charAt(0) == '0') {
                return false;
            }
        }
        return true;
    }

    static boolean isIpv6(String s) {
        if (s.length() < 2 || s.indexOf(':') < 0 || s.length() > 45) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean hex = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
            if (!hex && c != ':' && c != '.') {
                return false;
            }
        }
        return true;
    }

    private static boolean isNumber(String s, int max) {
        if (s.isEmpty() || s.length() > 3) {
            return false;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            v = v * 10 + c - '0';
        }
        return v <= max;
    }
}
