package io.vpccni.ipamd.hostnet;

import io.vpccni.netlink.api.Rule;

/** Comparing a rule we want with one the kernel reports. */
final class Rules {
    private Rules() {}

    /** Same selectors, priority and table; the mask only counts when there is a mark (the kernel reports 0 or all ones otherwise). */
    static boolean same(Rule a, Rule b) {
        return a.priority() == b.priority() && a.from().equals(b.from()) && a.to().equals(b.to())
                && a.table() == b.table() && a.fwmark() == b.fwmark() && (a.fwmark() == 0 || a.fwmask() == b.fwmask())
                && a.iif().equals(b.iif()) && a.oif().equals(b.oif());
    }
}
