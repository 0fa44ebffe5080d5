package io.vpccni.netlink.message;

import io.vpccni.netlink.api.Link;
import io.vpccni.netlink.api.LinkSpec;
import io.vpccni.netlink.api.MacAddress;

import java.util.Optional;

import static io.vpccni.netlink.message.NlMsgHdr.F_ACK;
import static io.vpccni.netlink.message.NlMsgHdr.F_CREATE;
import static io.vpccni.netlink.message.NlMsgHdr.F_DUMP;
import static io.vpccni.netlink.message.NlMsgHdr.F_EXCL;
import static io.vpccni.netlink.message.NlMsgHdr.F_REQUEST;

/** RTM_*LINK requests and the decoding of link replies. */
public final class LinkMessages {
    // linux/if_link.h
    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_TXQLEN = 13;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_NET_NS_FD = 28;
    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_INFO_DATA = 2;
    // linux/veth.h
    static final int VETH_INFO_PEER = 1;

    private LinkMessages() {}

    /** {@code ip link show}. */
    public static Request dump() {
        return new Request(new MessageWriter(RtmType.GETLINK, F_REQUEST | F_DUMP).struct(IfInfoMsg.any()).finish(),
                "RTM_GETLINK dump", true);
    }

    /** {@code ip link show dev NAME}: the kernel answers one link or ENODEV. */
    public static Request getByName(String name) {
        return new Request(new MessageWriter(RtmType.GETLINK, F_REQUEST | F_ACK).struct(IfInfoMsg.any())
                .attrString(IFLA_IFNAME, name).finish(), "RTM_GETLINK " + name, false);
    }

    public static Request getByIndex(int index) {
        return new Request(new MessageWriter(RtmType.GETLINK, F_REQUEST | F_ACK).struct(IfInfoMsg.ofIndex(index))
                .finish(), "RTM_GETLINK index " + index, false);
    }

    /**
     * {@code ip link add NAME [mtu M] [address A] [txqueuelen Q] type veth peer name P [mtu M] [address B]
     * [txqueuelen Q] [netns NS]}.
     * The peer's info is an ifinfomsg followed by its own IFLA_* attributes, inside
     * IFLA_LINKINFO / IFLA_INFO_DATA / VETH_INFO_PEER.
     *
     * @param peerNsFd descriptor of the peer's network namespace, or -1 to keep it here
     */
    public static Request newVeth(LinkSpec.Veth spec, int peerNsFd) {
        MessageWriter w = new MessageWriter(RtmType.NEWLINK, F_REQUEST | F_ACK | F_CREATE | F_EXCL)
                .struct(IfInfoMsg.any())
                .attrString(IFLA_IFNAME, spec.name());
        if (spec.mtu() > 0) {
            w.attrU32(IFLA_MTU, spec.mtu());
        }
        spec.mac().ifPresent(m -> w.attr(IFLA_ADDRESS, m.bytes()));
        spec.txQueueLen().ifPresent(q -> w.attrU32(IFLA_TXQLEN, q));
        int linkInfo = w.beginNested(IFLA_LINKINFO);
        w.attrString(IFLA_INFO_KIND, "veth");
        int data = w.beginNested(IFLA_INFO_DATA);
        int peer = w.beginNested(VETH_INFO_PEER);
        w.struct(IfInfoMsg.any()).attrString(IFLA_IFNAME, spec.peerName());
        if (spec.mtu() > 0) {
            w.attrU32(IFLA_MTU, spec.mtu());
        }
        spec.peerMac().ifPresent(m -> w.attr(IFLA_ADDRESS, m.bytes()));
        spec.txQueueLen().ifPresent(q -> w.attrU32(IFLA_TXQLEN, q));
        if (peerNsFd >= 0) {
            w.attrU32(IFLA_NET_NS_FD, peerNsFd);
        }
        w.endNested(peer).endNested(data).endNested(linkInfo);
        return new Request(w.finish(), "RTM_NEWLINK veth " + spec.name() + " peer " + spec.peerName(), false);
    }

    /** {@code ip link set dev X up|down}: only IFF_UP changes (ifi_change masks the rest). */
    public static Request setUp(int index, boolean up) {
        IfInfoMsg msg = new IfInfoMsg(0, 0, index, up ? IfInfoMsg.IFF_UP : 0, IfInfoMsg.IFF_UP);
        return new Request(new MessageWriter(RtmType.NEWLINK, F_REQUEST | F_ACK).struct(msg).finish(),
                "RTM_NEWLINK index " + index + (up ? " up" : " down"), false);
    }

    /** {@code ip link set dev X mtu M}. */
    public static Request setMtu(int index, int mtu) {
        return new Request(new MessageWriter(RtmType.NEWLINK, F_REQUEST | F_ACK).struct(IfInfoMsg.ofIndex(index))
                .attrU32(IFLA_MTU, mtu).finish(), "RTM_NEWLINK index " + index + " mtu " + mtu, false);
    }

    /** {@code ip link set dev X name Y}; the link must be down. */
    public static Request setName(int index, String name) {
        return new Request(new MessageWriter(RtmType.NEWLINK, F_REQUEST | F_ACK).struct(IfInfoMsg.ofIndex(index))
                .attrString(IFLA_IFNAME, name).finish(), "RTM_NEWLINK index " + index + " name " + name, false);
    }

    /** {@code ip link set dev X netns NS}. */
    public static Request setNamespace(int index, int nsFd, String nsName) {
        return new Request(new MessageWriter(RtmType.NEWLINK, F_REQUEST | F_ACK).struct(IfInfoMsg.ofIndex(index))
                .attrU32(IFLA_NET_NS_FD, nsFd).finish(), "RTM_NEWLINK index " + index + " netns " + nsName, false);
    }

    /** {@code ip link del dev X}; deleting one end of a veth deletes both. */
    public static Request delete(int index) {
        return new Request(new MessageWriter(RtmType.DELLINK, F_REQUEST | F_ACK).struct(IfInfoMsg.ofIndex(index))
                .finish(), "RTM_DELLINK index " + index, false);
    }

    /** A link from an RTM_NEWLINK reply. */
    public static Link decode(Message m) {
        IfInfoMsg info = IfInfoMsg.read(m.body());
        Attributes a = m.attributesAfter(IfInfoMsg.SIZE);
        Optional<MacAddress> mac = a.bytes(IFLA_ADDRESS).filter(b -> b.length == 6).map(MacAddress::of);
        Optional<String> kind = a.nested(IFLA_LINKINFO).flatMap(li -> li.string(IFLA_INFO_KIND));
        return new Link(info.index(), a.string(IFLA_IFNAME).orElse(""), mac, a.u32(IFLA_MTU).orElse(0),
                (info.flags() & IfInfoMsg.IFF_UP) != 0, kind);
    }
}
