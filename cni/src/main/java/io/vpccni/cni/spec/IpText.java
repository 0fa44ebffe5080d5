package io.vpccni.cni.spec;

import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;

/**
 * Syntax checks for addresses in results, either family: IPv4 by the project's one IPv4 type, IPv6 loosely (hex
 * digits, colons, an optional embedded IPv4 tail; the kernel is the final judge when it is applied). Text only, so
 * nothing can trigger a DNS lookup and no InetAddress machinery loads in the short-lived plugin.
 */
final class IpText {
    private IpText() {}

    static boolean isIp(String s) {
        return Ipv4Address.isLiteral(s) || isIpv6(s);
    }

    static boolean isCidr(String s) {
        int slash = s.indexOf('/');
        return slash >= 0
                && (Ipv4Cidr.isLiteral(s) || isIpv6(s.substring(0, slash)) && isIpv6Length(s.substring(slash + 1)));
    }

    static boolean isIpv6Cidr(String s) {
        return s.indexOf(':') >= 0;
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

    /** One to three digits, at most 128; a loop: no stream on the plugin's path. */
    private static boolean isIpv6Length(String s) {
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
        return v <= 128;
    }
}
