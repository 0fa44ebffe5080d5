package io.vpccni.policy.agent.nft;

/** The table's named counters: packets and bytes dropped by policy, per direction. */
public record DropCounters(long ingressPackets, long ingressBytes, long egressPackets, long egressBytes) {

    public static final DropCounters ZERO = new DropCounters(0, 0, 0, 0);

    public DropCounters plus(DropCounters o) {
        return new DropCounters(ingressPackets + o.ingressPackets, ingressBytes + o.ingressBytes,
                egressPackets + o.egressPackets, egressBytes + o.egressBytes);
    }

    /**
     * Reads {@code nft list counters table inet vpccni_policy}: a {@code counter NAME {} block per counter with a
     * {@code packets N bytes M} line. Unknown counters are ignored; a missing one reads as zero.
     */
    public static DropCounters parse(String listing) {
        long[] values = new long[4];
        String current = null;
        for (String raw : listing.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("counter ")) {
                current = line.substring("counter ".length()).replace("{", "").strip();
            } else if (line.startsWith("packets ") && current != null) {
                String[] f = line.split("\\s+");
                int base = switch (current) {
                    case NftScript.INGRESS_DROPS -> 0;
                    case NftScript.EGRESS_DROPS -> 2;
                    default -> -1;
                };
                if (base >= 0 && f.length >= 4) {
                    values[base] = Long.parseLong(f[1]);
                    values[base + 1] = Long.parseLong(f[3]);
                }
            }
        }
        return new DropCounters(values[0], values[1], values[2], values[3]);
    }
}
