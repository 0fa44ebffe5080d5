package io.vpccni.ipamd.datastore;

import java.util.List;

/**
 * Usage summed over an ENI's CIDRs, counted one way for the datastore's stats and the policy's
 * view of an ENI alike. Cooling addresses are neither assigned nor available.
 */
public interface CidrUsage {
    List<CidrStats> cidrs();

    default int total() {
        return cidrs().stream().mapToInt(CidrStats::total).sum();
    }

    default int assigned() {
        return cidrs().stream().mapToInt(CidrStats::assigned).sum();
    }

    default int cooling() {
        return cidrs().stream().mapToInt(CidrStats::cooling).sum();
    }

    default int available() {
        return total() - assigned() - cooling();
    }

    /** Prefixes with nothing assigned and nothing cooling. */
    default int unusedPrefixes() {
        return (int) cidrs().stream().filter(c -> c.isPrefix() && c.isUnused()).count();
    }
}
