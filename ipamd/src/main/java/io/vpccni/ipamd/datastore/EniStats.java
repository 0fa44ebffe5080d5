package io.vpccni.ipamd.datastore;

import java.util.List;

/** One ENI's usage, CIDRs in address order. */
public record EniStats(EniInfo eni, List<CidrStats> cidrs) implements CidrUsage {
    public EniStats {
        cidrs = List.copyOf(cidrs);
    }
}
