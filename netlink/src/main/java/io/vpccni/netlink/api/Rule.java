package io.vpccni.netlink.api;

import java.util.Optional;

/**
 * A policy-routing rule that looks up a table ({@code ip rule}). Build one with
 * {@link #at(int)}: {@code Rule.at(512).withTo(IpPrefix.parse("10.0.0.5/32")).withTable(Route.TABLE_MAIN)}.
 * The family is taken from {@code from}/{@code to}, IPv4 when neither is set.
 *
 * @param priority preference (lower is consulted first)
 * @param from     source selector
 * @param to       destination selector
 * @param table    table to look up; ids above 255 are fine
 * @param fwmark   firewall mark to match; 0 means "no mark selector" (the kernel's own meaning)
 * @param fwmask   mask for {@code fwmark}; 0 with a non-zero mark becomes {@link #ALL_BITS}, as in the kernel
 * @param iif      input interface name selector
 * @param oif      output interface name selector
 */
public record Rule(int priority, Optional<IpPrefix> from, Optional<IpPrefix> to, int table, int fwmark, int fwmask,
                   Optional<String> iif, Optional<String> oif) {
    /** The mask the kernel stores when a mark is given without one. */
    public static final int ALL_BITS = 0xFFFF_FFFF;

    public Rule {
        // Normalise "mark without mask" to the all-ones mask the kernel stores and reports,
        // so a rule read back from the kernel equals the one that was added.
        if (fwmark != 0 && fwmask == 0) {
            fwmask = ALL_BITS;
        }
        if (priority < 0) {
            throw new IllegalArgumentException("negative rule priority " + priority);
        }
        if (from.isPresent() && to.isPresent() && from.get().isIpv4() != to.get().isIpv4()) {
            throw new IllegalArgumentException("rule mixes families: from " + from.get() + " to " + to.get());
        }
        iif.ifPresent(LinkNames::check);
        oif.ifPresent(LinkNames::check);
    }

    /** A rule at {@code priority} looking up main, with no selectors yet. */
    public static Rule at(int priority) {
        return new Rule(priority, Optional.empty(), Optional.empty(), Route.TABLE_MAIN, 0, 0, Optional.empty(), Optional.empty());
    }

    public Rule withFrom(IpPrefix prefix) {
        return new Rule(priority, Optional.of(prefix), to, table, fwmark, fwmask, iif, oif);
    }

    public Rule withTo(IpPrefix prefix) {
        return new Rule(priority, from, Optional.of(prefix), table, fwmark, fwmask, iif, oif);
    }

    public Rule withTable(int id) {
        return new Rule(priority, from, to, id, fwmark, fwmask, iif, oif);
    }

    public Rule withFwmark(int mark, int mask) {
        return new Rule(priority, from, to, table, mark, mask, iif, oif);
    }

    public Rule withIif(String name) {
        return new Rule(priority, from, to, table, fwmark, fwmask, Optional.of(name), oif);
    }

    public Rule withOif(String name) {
        return new Rule(priority, from, to, table, fwmark, fwmask, iif, Optional.of(name));
    }

    /** True when the selectors are IPv4 (or absent). */
    public boolean isIpv4() {
        return from.map(IpPrefix::isIpv4).orElse(to.map(IpPrefix::isIpv4).orElse(true));
    }

    /** Like {@code ip rule}: {@code 512: from all to 10.0.0.5/32 lookup main}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(priority).append(": from ")
                .append(from.map(IpPrefix::toString).orElse("all"));
        to.ifPresent(t -> sb.append(" to ").append(t));
        if (fwmark != 0) {
            sb.append(" fwmark 0x").append(Integer.toHexString(fwmark));
            if (fwmask != ALL_BITS) {
                sb.append("/0x").append(Integer.toHexString(fwmask));
            }
        }
        iif.ifPresent(i -> sb.append(" iif ").append(i));
        oif.ifPresent(o -> sb.append(" oif ").append(o));
        return sb.append(" lookup ").append(table == Route.TABLE_MAIN ? "main" : String.valueOf(table)).toString();
    }
}
