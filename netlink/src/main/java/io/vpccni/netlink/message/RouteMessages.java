package io.vpccni.netlink.message;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Route;

import java.net.InetAddress;
import java.util.Optional;

import static io.vpccni.netlink.message.NlMsgHdr.F_ACK;
import static io.vpccni.netlink.message.NlMsgHdr.F_CREATE;
import static io.vpccni.netlink.message.NlMsgHdr.F_DUMP;
import static io.vpccni.netlink.message.NlMsgHdr.F_EXCL;
import static io.vpccni.netlink.message.NlMsgHdr.F_REPLACE;
import static io.vpccni.netlink.message.NlMsgHdr.F_REQUEST;

/** RTM_*ROUTE requests and the decoding of route replies. Single-path routes only (no RTA_MULTIPATH). */
public final class RouteMessages {
    // linux/rtnetlink.h, enum rtattr_type_t
    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_PRIORITY = 6;
    static final int RTA_TABLE = 15;
    /** rtm_table can only hold 8 bits; larger ids go in RTA_TABLE with rtm_table = RT_TABLE_UNSPEC. */
    private static final int MAX_HEADER_TABLE = 255;

    private RouteMessages() {}

    /** {@code ip route show table all} for one family; callers filter by table. */
    public static Request dump(int family) {
        return new Request(new MessageWriter(RtmType.GETROUTE, F_REQUEST | F_DUMP)
                .struct(new RtMsg(family, 0, 0, 0, 0, 0, 0, 0, 0)).finish(), "RTM_GETROUTE dump", true);
    }

    /** {@code ip route add ...}: fails with EEXIST when the route is there. */
    public static Request add(Route r) {
        return new Request(write(RtmType.NEWROUTE, F_REQUEST | F_ACK | F_CREATE | F_EXCL, r, false),
                "RTM_NEWROUTE " + r, false);
    }

    /** {@code ip route replace ...}: creates or overwrites. */
    public static Request replace(Route r) {
        return new Request(write(RtmType.NEWROUTE, F_REQUEST | F_ACK | F_CREATE | F_REPLACE, r, false),
                "RTM_NEWROUTE replace " + r, false);
    }

    /**
     * {@code ip route del ...}. Like iproute2, sends scope NOWHERE and protocol/type unspecified,
     * which the kernel treats as wildcards, so a route listed by {@code routes()} deletes even
     * though its scope or protocol was filled in by the kernel. A missing route answers ESRCH.
     */
    public static Request delete(Route r) {
        return new Request(write(RtmType.DELROUTE, F_REQUEST | F_ACK, r, true), "RTM_DELROUTE " + r, false);
    }

    private static byte[] write(int type, int flags, Route r, boolean forDelete) {
        IpPrefix dst = r.destination();
        int family = AddressFamily.of(dst.address());
        RtMsg h = new RtMsg(family, dst.length(), 0, 0, r.table() <= MAX_HEADER_TABLE ? r.table() : 0,
                forDelete ? Route.PROTO_UNSPEC : r.protocol(),
                forDelete ? Route.SCOPE_NOWHERE : r.scope(),
                forDelete ? 0 : r.type(),
                r.onLink() ? RtMsg.RTNH_F_ONLINK : 0);
        MessageWriter w = new MessageWriter(type, flags).struct(h).attrU32(RTA_TABLE, r.table());
        if (dst.length() > 0) {
            w.attr(RTA_DST, dst.address().getAddress());
        }
        r.gateway().ifPresent(g -> w.attr(RTA_GATEWAY, g.getAddress()));
        if (r.linkIndex() > 0) {
            w.attrU32(RTA_OIF, r.linkIndex());
        }
        if (r.priority() > 0) {
            w.attrU32(RTA_PRIORITY, r.priority());
        }
        return w.finish();
    }

    public static Route decode(Message m) {
        RtMsg h = RtMsg.read(m.body());
        Attributes a = m.attributesAfter(RtMsg.SIZE);
        InetAddress dst = a.bytes(RTA_DST).map(AddressFamily::address).orElseGet(() -> AddressFamily.any(h.family()));
        Optional<InetAddress> gw = a.bytes(RTA_GATEWAY).map(AddressFamily::address);
        return new Route(new IpPrefix(dst, h.dstLength()), gw, a.u32(RTA_OIF).orElse(0),
                a.u32(RTA_TABLE).orElse(h.table()), h.scope(), h.protocol(), a.u32(RTA_PRIORITY).orElse(0),
                (h.flags() & RtMsg.RTNH_F_ONLINK) != 0, h.type());
    }
}
