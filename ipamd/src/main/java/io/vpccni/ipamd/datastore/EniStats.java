package io.vpccni.ipamd.datastore;

import java.util.List;

/** One ENI's usage, CIDRs in address order. */
public record EniStats(EniInfo eni, List<CidrStats> cidrs) {
    public EniStats {
        cidrs = List.copyOf(cidrs);
    }

    public int total() {
        return cidrs.stream().mapToInt(CidrStats::total).sum();
    }

    public int assigned() {
        return cidrs.stream().mapToInt(CidrStats::assigned).sum();
    }

    public int cooling() {
        return cidrs.stream().mapToInt(CidrStats::cooling).sum();
    }

    public int available() {
        return total() - assigned() - cooling();
    }

    /** Prefixes with nothing assigned and nothing cooling. */
    public int unusedPrefixes() {
        return (int) cidrs.stream().filter(c -> c.isPrefix() && c.isUnused()).count();
    }
}
