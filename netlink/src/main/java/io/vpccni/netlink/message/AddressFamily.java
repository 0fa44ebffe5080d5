package io.vpccni.netlink.message;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** AF_* numbers and conversion between InetAddress and the raw bytes attributes carry. */
public final class AddressFamily {
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    private AddressFamily() {}

    public static int of(InetAddress a) {
        return a instanceof Inet4Address ? AF_INET : AF_INET6;
    }

    public static int addressLength(int family) {
        return switch (family) {
            case AF_INET -> 4;
            case AF_INET6 -> 16;
            default -> throw new IllegalArgumentException("unsupported address family " + family);
        };
    }

    /** From raw bytes (network order); never a DNS lookup. */
    public static InetAddress address(byte[] raw) {
        if (raw.length != 4 && raw.length != 16) {
            throw new IllegalArgumentException("address of " + raw.length + " bytes");
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e); // only thrown for bad lengths, checked above
        }
    }

    /** The all-zero address of {@code family}: what a missing RTA_DST / FRA_SRC means. */
    public static InetAddress any(int family) {
        return address(new byte[addressLength(family)]);
    }
}
