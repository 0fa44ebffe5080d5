package io.vpccni.netlink.api;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A neighbour (ARP/NDP) entry ({@code ip neigh}).
 *
 * @param address   the IP address
 * @param mac       its link-layer address; empty for entries still resolving or failed
 * @param linkIndex the device's ifindex
 * @param state     NUD state bits, e.g. {@link #NUD_PERMANENT}
 */
public record Neighbour(InetAddress address, Optional<MacAddress> mac, int linkIndex, int state) {
    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_DELAY = 0x08;
    public static final int NUD_PROBE = 0x10;
    public static final int NUD_FAILED = 0x20;
    public static final int NUD_NOARP = 0x40;
    public static final int NUD_PERMANENT = 0x80;

    /** {@code ip neigh add ADDRESS lladdr MAC dev LINK nud permanent}. */
    public static Neighbour permanent(InetAddress address, MacAddress mac, int linkIndex) {
        return new Neighbour(address, Optional.of(mac), linkIndex, NUD_PERMANENT);
    }

    public boolean isPermanent() {
        return (state & NUD_PERMANENT) != 0;
    }

    @Override
    public String toString() {
        return address.getHostAddress() + " dev#" + linkIndex + " lladdr " + mac.map(MacAddress::toString).orElse("-")
                + " state 0x" + Integer.toHexString(state);
    }
}
