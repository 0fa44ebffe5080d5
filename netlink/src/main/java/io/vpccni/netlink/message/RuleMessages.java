package io.vpccni.netlink.message;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Rule;

import java.util.Optional;

import static io.vpccni.netlink.message.NlMsgHdr.F_ACK;
import static io.vpccni.netlink.message.NlMsgHdr.F_CREATE;
import static io.vpccni.netlink.message.NlMsgHdr.F_DUMP;
import static io.vpccni.netlink.message.NlMsgHdr.F_EXCL;
import static io.vpccni.netlink.message.NlMsgHdr.F_REQUEST;

/** RTM_*RULE requests and the decoding of rule replies (table-lookup rules). */
public final class RuleMessages {
    // linux/fib_rules.h
    static final int FRA_DST = 1;
    static final int FRA_SRC = 2;
    static final int FRA_IIFNAME = 3;
    static final int FRA_PRIORITY = 6;
    static final int FRA_FWMARK = 10;
    static final int FRA_TABLE = 15;
    static final int FRA_FWMASK = 16;
    static final int FRA_OIFNAME = 17;

    private RuleMessages() {}

    /** {@code ip rule show} for one family. */
    public static Request dump(int family) {
        return new Request(new MessageWriter(RtmType.GETRULE, F_REQUEST | F_DUMP)
                .struct(new FibRuleHdr(family, 0, 0, 0, 0, 0, 0)).finish(), "RTM_GETRULE dump", true);
    }

    /** {@code ip rule add ...}; EEXIST when an identical rule is there (kernel 4.19+ with NLM_F_EXCL). */
    public static Request add(Rule r) {
        return new Request(write(RtmType.NEWRULE, F_REQUEST | F_ACK | F_CREATE | F_EXCL, r), "RTM_NEWRULE " + r, false);
    }

    /** {@code ip rule del ...}: the kernel matches every selector given; a missing rule answers ENOENT. */
    public static Request delete(Rule r) {
        return new Request(write(RtmType.DELRULE, F_REQUEST | F_ACK, r), "RTM_DELRULE " + r, false);
    }

    private static byte[] write(int type, int flags, Rule r) {
        int family = r.isIpv4() ? AddressFamily.AF_INET : AddressFamily.AF_INET6;
        FibRuleHdr h = new FibRuleHdr(family, r.to().map(IpPrefix::length).orElse(0),
                r.from().map(IpPrefix::length).orElse(0), 0, r.table() <= 255 ? r.table() : 0,
                FibRuleHdr.FR_ACT_TO_TBL, 0);
        MessageWriter w = new MessageWriter(type, flags).struct(h)
                .attrU32(FRA_PRIORITY, r.priority())
                .attrU32(FRA_TABLE, r.table());
        r.from().ifPresent(p -> w.attr(FRA_SRC, p.address().getAddress()));
        r.to().ifPresent(p -> w.attr(FRA_DST, p.address().getAddress()));
        // "fwmark 0/0x80" (mark bit clear) is a real selector, so a mask alone also sends the mark.
        if (r.fwmark() != 0 || r.fwmask() != 0) {
            w.attrU32(FRA_FWMARK, r.fwmark());
        }
        if (r.fwmask() != 0) {
            w.attrU32(FRA_FWMASK, r.fwmask());
        }
        r.iif().ifPresent(n -> w.attrString(FRA_IIFNAME, n));
        r.oif().ifPresent(n -> w.attrString(FRA_OIFNAME, n));
        return w.finish();
    }

    public static Rule decode(Message m) {
        FibRuleHdr h = FibRuleHdr.read(m.body());
        Attributes a = m.attributesAfter(FibRuleHdr.SIZE);
        Optional<IpPrefix> from = a.bytes(FRA_SRC).map(b -> new IpPrefix(AddressFamily.address(b), h.srcLength()));
        Optional<IpPrefix> to = a.bytes(FRA_DST).map(b -> new IpPrefix(AddressFamily.address(b), h.dstLength()));
        return new Rule(a.u32(FRA_PRIORITY).orElse(0), from, to, a.u32(FRA_TABLE).orElse(h.table()),
                a.u32(FRA_FWMARK).orElse(0), a.u32(FRA_FWMASK).orElse(0),
                a.string(FRA_IIFNAME), a.string(FRA_OIFNAME));
    }
}
