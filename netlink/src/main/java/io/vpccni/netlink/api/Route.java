package io.vpccni.netlink.api;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A route ({@code ip route}). Build one with {@link #to(IpPrefix)} and the {@code with...}
 * methods, e.g. {@code Route.to(IpPrefix.parse("169.254.1.1/32")).withLinkIndex(2).withScope(Route.SCOPE_LINK)}.
 * Numeric fields use the kernel's numbers (constants below) so nothing the kernel reports is lost.
 *
 * @param destination destination prefix; {@code 0.0.0.0/0} for a default route
 * @param gateway     next hop, if any ({@code via})
 * @param linkIndex   output device ifindex ({@code dev}); 0 for none
 * @param table       routing table id; {@link #TABLE_MAIN} is 254; ids above 255 are fine
 * @param scope       {@link #SCOPE_UNIVERSE}, {@link #SCOPE_LINK}, {@link #SCOPE_HOST}, ...
 * @param protocol    who installed it ({@link #PROTO_BOOT} is what {@code ip route add} uses)
 * @param priority    metric ({@code metric}/{@code priority}); 0 for none
 * @param onLink      RTNH_F_ONLINK: the gateway is on the link even without a matching prefix
 * @param type        route type; {@link #TYPE_UNICAST} for ordinary routes
 */
public record Route(IpPrefix destination, Optional<InetAddress> gateway, int linkIndex, int table, int scope,
                    int protocol, int priority, boolean onLink, int type) {
    public static final int TABLE_UNSPEC = 0;
    public static final int TABLE_DEFAULT = 253;
    public static final int TABLE_MAIN = 254;
    public static final int TABLE_LOCAL = 255;
    public static final int SCOPE_UNIVERSE = 0;
    public static final int SCOPE_SITE = 200;
    public static final int SCOPE_LINK = 253;
    public static final int SCOPE_HOST = 254;
    public static final int SCOPE_NOWHERE = 255;
    public static final int PROTO_UNSPEC = 0;
    public static final int PROTO_KERNEL = 2;
    public static final int PROTO_BOOT = 3;
    public static final int PROTO_STATIC = 4;
    public static final int TYPE_UNICAST = 1;
    public static final int TYPE_LOCAL = 2;
    public static final int TYPE_BROADCAST = 3;
    public static final int TYPE_BLACKHOLE = 6;

    public Route {
        if (gateway.isPresent() && gateway.get().getClass() != destination.address().getClass()) {
            throw new IllegalArgumentException("gateway " + gateway.get().getHostAddress()
                    + " is not of the family of " + destination);
        }
        if (table < 0 || linkIndex < 0 || priority < 0) {
            throw new IllegalArgumentException("negative table, link index or priority in route to " + destination);
        }
    }

    /** A unicast route in main, scope universe, protocol boot: what {@code ip route add DST} starts from. */
    public static Route to(IpPrefix destination) {
        return new Route(destination, Optional.empty(), 0, TABLE_MAIN, SCOPE_UNIVERSE, PROTO_BOOT, 0, false, TYPE_UNICAST);
    }

    public Route withGateway(InetAddress gw) {
        return new Route(destination, Optional.of(gw), linkIndex, table, scope, protocol, priority, onLink, type);
    }

    public Route withLinkIndex(int index) {
        return new Route(destination, gateway, index, table, scope, protocol, priority, onLink, type);
    }

    public Route withTable(int id) {
        return new Route(destination, gateway, linkIndex, id, scope, protocol, priority, onLink, type);
    }

    public Route withScope(int s) {
        return new Route(destination, gateway, linkIndex, table, s, protocol, priority, onLink, type);
    }

    public Route withProtocol(int p) {
        return new Route(destination, gateway, linkIndex, table, scope, p, priority, onLink, type);
    }

    public Route withPriority(int metric) {
        return new Route(destination, gateway, linkIndex, table, scope, protocol, metric, onLink, type);
    }

    public Route withOnLink(boolean on) {
        return new Route(destination, gateway, linkIndex, table, scope, protocol, priority, on, type);
    }

    public Route withType(int t) {
        return new Route(destination, gateway, linkIndex, table, scope, protocol, priority, onLink, t);
    }

    /** Like {@code ip route}: {@code 10.0.0.0/24 via 10.0.0.1 dev#3 table 3 scope link onlink}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(destination.toString());
        gateway.ifPresent(g -> sb.append(" via ").append(g.getHostAddress()));
        if (linkIndex != 0) {
            sb.append(" dev#").append(linkIndex);
        }
        sb.append(" table ").append(table == TABLE_MAIN ? "main" : table == TABLE_LOCAL ? "local" : String.valueOf(table));
        if (scope != SCOPE_UNIVERSE) {
            sb.append(" scope ").append(switch (scope) {
                case SCOPE_LINK -> "link";
                case SCOPE_HOST -> "host";
                case SCOPE_SITE -> "site";
                case SCOPE_NOWHERE -> "nowhere";
                default -> String.valueOf(scope);
            });
        }
        if (priority != 0) {
            sb.append(" metric ").append(priority);
        }
        if (onLink) {
            sb.append(" onlink");
        }
        if (type != TYPE_UNICAST) {
            sb.append(" type ").append(type);
        }
        return sb.toString();
    }
}
