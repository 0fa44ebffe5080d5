package io.vpccni.ipamd.warmpool;

import io.vpccni.ipamd.datastore.CidrStats;
import io.vpccni.ipamd.datastore.CidrUsage;
import io.vpccni.ipamd.datastore.EniStats;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** One managed ENI as the policy sees it: role, age and per-CIDR usage. */
public record EniState(String eniId, int deviceIndex, EniRole role, Instant createdAt, List<CidrStats> cidrs)
        implements CidrUsage {
    public EniState {
        Objects.requireNonNull(eniId, "eniId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(createdAt, "createdAt");
        cidrs = List.copyOf(cidrs);
    }

    /** From datastore stats; the datastore knows primary or not, the caller says which ENIs are trunk or EFA. */
    public static EniState from(EniStats stats, EniRole role) {
        return new EniState(stats.eni().eniId(), stats.eni().deviceIndex(), role, stats.eni().createdAt(), stats.cidrs());
    }

    public static EniState from(EniStats stats) {
        return from(stats, stats.eni().primary() ? EniRole.PRIMARY : EniRole.SECONDARY);
    }

    /** Slots used on this ENI in the given mode: /28 prefixes, or /32 secondary IPs. */
    public int units(boolean prefixMode) {
        return (int) cidrs.stream().filter(c -> c.isPrefix() == prefixMode).count();
    }

    public int prefixes() {
        return units(true);
    }

    boolean carriesPods() {
        return role == EniRole.PRIMARY || role == EniRole.SECONDARY;
    }
}
