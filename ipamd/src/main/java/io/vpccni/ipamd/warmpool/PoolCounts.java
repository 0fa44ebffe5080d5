package io.vpccni.ipamd.warmpool;

import java.util.List;

/**
 * The pool's numbers in the notation of docs/warm-pool.md section 1.
 *
 * @param total          {@code T}: addresses in the pool (secondary IPs, or 16 per prefix)
 * @param assigned       {@code A}: addresses given to pods
 * @param cooling        {@code C}: released, not yet reusable
 * @param prefixes       {@code N_P}: /28 prefixes attached
 * @param unusedPrefixes {@code FP}: prefixes with nothing assigned and nothing cooling
 */
public record PoolCounts(int total, int assigned, int cooling, int prefixes, int unusedPrefixes) {

    public static PoolCounts of(List<EniState> enis) {
        return new PoolCounts(
                enis.stream().mapToInt(EniState::total).sum(),
                enis.stream().mapToInt(EniState::assigned).sum(),
                enis.stream().mapToInt(EniState::cooling).sum(),
                enis.stream().mapToInt(EniState::prefixes).sum(),
                enis.stream().mapToInt(EniState::unusedPrefixes).sum());
    }

    /**
     * {@code F}: addresses a pod could get now, {@code T - A - C}. aws-vpc-cni uses {@code T - A} and so counts
     * cooling addresses as available (issue #2896); we do not, see {@link #upstreamAvailable()}.
     */
    public int available() {
        return total - assigned - cooling;
    }

    /** aws-vpc-cni's {@code F = T - A}, kept only to show where we differ. */
    public int upstreamAvailable() {
        return total - assigned;
    }

    /**
     * The counts as they will be once {@code pods} more pods are added ({@link PodDemand#counted()}): they take free
     * addresses, those of partly used prefixes first (the datastore packs pods), so {@code F} may go below 0 when the
     * pods lack addresses.
     */
    public PoolCounts withPending(int pods) {
        if (pods == 0) {
            return this;
        }
        int inUsedPrefixes = Math.max(0, available() - PoolMath.PREFIX_SIZE * unusedPrefixes);
        int prefixesTaken = PoolMath.ceilDiv(pods - inUsedPrefixes, PoolMath.PREFIX_SIZE);
        return new PoolCounts(total, assigned + pods, cooling, prefixes, Math.max(0, unusedPrefixes - prefixesTaken));
    }
}
