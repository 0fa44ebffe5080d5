package io.vpccni.policy.agent.model;

import java.util.List;

/**
 * What an isolated pod may exchange in one direction: with {@code anyTraffic} peers everything (a rule without
 * ports), with {@code ported} peers only the given protocol and ports. Both lists are normalised: ranges in
 * {@code anyTraffic} are disjoint, and no two {@code ported} entries of one protocol overlap in both peers and ports
 * (nftables' concatenated interval sets refuse overlapping elements).
 */
public record Allowed(List<AddressRange> anyTraffic, List<PortedRange> ported) {

    public static final Allowed NOTHING = new Allowed(List.of(), List.of());

    public Allowed {
        anyTraffic = List.copyOf(anyTraffic);
        ported = List.copyOf(ported);
    }
}
