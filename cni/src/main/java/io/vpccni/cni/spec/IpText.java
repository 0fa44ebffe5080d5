package io.vpccni.cni.spec;

import io.vpccni.rpc.IpLiterals;

/**
 * Syntax checks for addresses in results. Text only, so nothing can trigger a DNS lookup and no
 * InetAddress machinery loads in the short-lived plugin. IPv6 is checked loosely (hex digits,
 * colons, an optional embedded IPv4 tail); the kernel is the final judge when it is applied.
 */
final class IpText {
    private IpText() {}

    static boolean isIp(String s) {
        return IpLiterals.isIpv4(s) || isIpv6(s);
    }

    static boolean isCidr(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String ip = s.substring(0, slash);
        String prefix = s.substring(slash + 1);
        return IpLiterals.isIpv4(ip) && IpLiterals.isDecimal(prefix, 32) || isIpv6(ip) && IpLiterals.isDecimal(prefix, 128);
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
}
