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

    /**
     * CIDRs of one kind on this ENI: /28 prefixes, or /32 secondary IPs. Not the slots the ENI has used: after a
     * prefix fallback (or a switch of mode) an ENI carries both kinds, and each takes a slot; see {@link #slots()}.
     */
    public int units(boolean prefixMode) {
        return (int) cidrs.stream().filter(c -> c.isPrefix() == prefixMode).count();
    }

    /** Slots of the ENI's per-ENI address limit in use: every /32 and every /28 takes one, as EC2 counts them. */
    public int slots() {
        return cidrs.size();
    }

    public int prefixes() {
        return units(true);
    }

    boolean carriesPods() {
        return role == EniRole.PRIMARY || role == EniRole.SECONDARY;
    }
}
