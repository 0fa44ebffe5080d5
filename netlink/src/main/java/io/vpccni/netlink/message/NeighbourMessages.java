package io.vpccni.netlink.message;

import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.api.Neighbour;

import java.net.InetAddress;
import java.util.Optional;

import static io.vpccni.netlink.message.NlMsgHdr.F_ACK;
import static io.vpccni.netlink.message.NlMsgHdr.F_CREATE;
import static io.vpccni.netlink.message.NlMsgHdr.F_DUMP;
import static io.vpccni.netlink.message.NlMsgHdr.F_EXCL;
import static io.vpccni.netlink.message.NlMsgHdr.F_REPLACE;
import static io.vpccni.netlink.message.NlMsgHdr.F_REQUEST;

/** RTM_*NEIGH requests and the decoding of neighbour replies. */
public final class NeighbourMessages {
    // linux/neighbour.h
    static final int NDA_DST = 1;
    static final int NDA_LLADDR = 2;

    private NeighbourMessages() {}

    /** {@code ip neigh show} for one family. */
    public static Request dump(int family) {
        return new Request(new MessageWriter(RtmType.GETNEIGH, F_REQUEST | F_DUMP)
                .struct(new NdMsg(family, 0, 0, 0, 0)).finish(), "RTM_GETNEIGH dump", true);
    }

    /** {@code ip neigh add ...}: EEXIST when an entry for the address is there. */
    public static Request add(Neighbour n) {
        return new Request(write(RtmType.NEWNEIGH, F_REQUEST | F_ACK | F_CREATE | F_EXCL, n), "RTM_NEWNEIGH " + n, false);
    }

    /** {@code ip neigh replace ...}. */
    public static Request replace(Neighbour n) {
        return new Request(write(RtmType.NEWNEIGH, F_REQUEST | F_ACK | F_CREATE | F_REPLACE, n),
                "RTM_NEWNEIGH replace " + n, false);
    }

    /** {@code ip neigh del ADDRESS dev X}; a missing entry answers ENOENT. */
    public static Request delete(Neighbour n) {
        byte[] bytes = new MessageWriter(RtmType.DELNEIGH, F_REQUEST | F_ACK)
                .struct(new NdMsg(AddressFamily.of(n.address()), n.linkIndex(), 0, 0, 0))
                .attr(NDA_DST, n.address().getAddress())
                .finish();
        return new Request(bytes, "RTM_DELNEIGH " + n.address().getHostAddress() + " dev#" + n.linkIndex(), false);
    }

    private static byte[] write(int type, int flags, Neighbour n) {
        MessageWriter w = new MessageWriter(type, flags)
                .struct(new NdMsg(AddressFamily.of(n.address()), n.linkIndex(), n.state(), 0, 0))
                .attr(NDA_DST, n.address().getAddress());
        n.mac().ifPresent(m -> w.attr(NDA_LLADDR, m.bytes()));
        return w.finish();
    }

    public static Neighbour decode(Message m) {
        NdMsg h = NdMsg.read(m.body());
        Attributes a = m.attributesAfter(NdMsg.SIZE);
        InetAddress address = AddressFamily.address(a.bytes(NDA_DST)
                .orElseThrow(() -> new IllegalArgumentException("RTM_NEWNEIGH without NDA_DST")));
        Optional<MacAddress> mac = a.bytes(NDA_LLADDR).filter(b -> b.length == 6).map(MacAddress::of);
        return new Neighbour(address, mac, h.index(), h.state());
    }
}
