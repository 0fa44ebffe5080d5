package io.vpccni.netlink.message;

import io.vpccni.netlink.api.Addr;

import java.net.InetAddress;

import static io.vpccni.netlink.message.NlMsgHdr.F_ACK;
import static io.vpccni.netlink.message.NlMsgHdr.F_CREATE;
import static io.vpccni.netlink.message.NlMsgHdr.F_DUMP;
import static io.vpccni.netlink.message.NlMsgHdr.F_EXCL;
import static io.vpccni.netlink.message.NlMsgHdr.F_REQUEST;

/** RTM_*ADDR requests and the decoding of address replies. */
public final class AddrMessages {
    // linux/if_addr.h
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;

    /** An address and the link it is on, as a dump reports it. */
    public record Entry(int linkIndex, Addr addr) {}

    private AddrMessages() {}

    /** {@code ip addr show} for one family. */
    public static Request dump(int family) {
        return new Request(new MessageWriter(RtmType.GETADDR, F_REQUEST | F_DUMP)
                .struct(new IfAddrMsg(family, 0, 0, 0, 0)).finish(), "RTM_GETADDR dump", true);
    }

    /** {@code ip addr add A/P dev X}: IFA_LOCAL and IFA_ADDRESS both carry the address (no peer). */
    public static Request add(int linkIndex, Addr addr) {
        return new Request(write(RtmType.NEWADDR, F_REQUEST | F_ACK | F_CREATE | F_EXCL, linkIndex, addr),
                "RTM_NEWADDR " + addr + " dev#" + linkIndex, false);
    }

    /** {@code ip addr del A/P dev X}; a missing address answers EADDRNOTAVAIL. */
    public static Request delete(int linkIndex, Addr addr) {
        return new Request(write(RtmType.DELADDR, F_REQUEST | F_ACK, linkIndex, addr),
                "RTM_DELADDR " + addr + " dev#" + linkIndex, false);
    }

    private static byte[] write(int type, int flags, int linkIndex, Addr addr) {
        byte[] raw = addr.address().getAddress();
        return new MessageWriter(type, flags)
                .struct(new IfAddrMsg(AddressFamily.of(addr.address()), addr.prefixLength(), 0, 0, linkIndex))
                .attr(IFA_LOCAL, raw)
                .attr(IFA_ADDRESS, raw)
                .finish();
    }

    /** IFA_LOCAL is the interface's own address; IFA_ADDRESS differs from it only on point-to-point links. */
    public static Entry decode(Message m) {
        IfAddrMsg h = IfAddrMsg.read(m.body());
        Attributes a = m.attributesAfter(IfAddrMsg.SIZE);
        byte[] raw = a.bytes(IFA_LOCAL).or(() -> a.bytes(IFA_ADDRESS))
                .orElseThrow(() -> new IllegalArgumentException("RTM_NEWADDR without IFA_LOCAL or IFA_ADDRESS"));
        InetAddress address = AddressFamily.address(raw);
        return new Entry(h.index(), new Addr(address, h.prefixLength()));
    }
}
