package io.vpccni.ipamd.datastore;

import java.util.List;

/**
 * The node's pool at one instant, ENIs by device index.
 * {@code available = total - assigned - cooling}: unlike aws-vpc-cni (issue #2896), an address in cooldown is
 * not counted as available, because no pod can be given it.
 */
public record PoolStats(List<EniStats> enis) {
    public PoolStats {
        enis = List.copyOf(enis);
    }

    public int total() {
        return enis.stream().mapToInt(EniStats::total).sum();
    }

    public int assigned() {
        return enis.stream().mapToInt(EniStats::assigned).sum();
    }

    public int cooling() {
        return enis.stream().mapToInt(EniStats::cooling).sum();
    }

    public int available() {
        return total() - assigned() - cooling();
    }

    public int unusedPrefixes() {
        return enis.stream().mapToInt(EniStats::unusedPrefixes).sum();
    }

    /** Secondary /32s in the pool; on a prefix-delegation node, the ones its prefix fallback added. */
    public int secondaryIps() {
        return (int) enis.stream().flatMap(e -> e.cidrs().stream()).filter(c -> !c.isPrefix()).count();
    }
}
