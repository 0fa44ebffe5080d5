package io.vpccni.ipamd.warmpool;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Step 3 of docs/warm-pool.md section 2: free at most one ENI, when the mode's gate is open and an ENI passes every
 * check of section 4.
 * Candidates are tried highest device index first (upstream walks a Go map).
 *
 * <p>One check of ours on top of upstream's: freeing must not leave the pool "low", or the next tick would attach
 * an ENI again. Upstream's gates already imply this for WARM_ENI_TARGET >= 1 and for the IP targets; it bites
 * only for WARM_ENI_TARGET = 0 (E4, attach/free oscillation) and WARM_PREFIX_TARGET = 0.
 */
final class EniReleasePlanner {

    private EniReleasePlanner() {}

    static Optional<PoolAction.FreeEni> plan(PoolState state, PoolTargets targets) {
        PoolCounts counts = PoolCounts.of(state.enis());
        boolean podFreeSecondary = state.enis().stream()
                .anyMatch(e -> e.role() == EniRole.SECONDARY && e.assigned() == 0);
        if (!PoolMath.eniReleaseGate(counts, targets, state.limits(), podFreeSecondary)) {
            return Optional.empty();
        }
        for (EniState candidate : state.enis().reversed()) {
            if (deletable(candidate, state, targets)) {
                return Optional.of(new PoolAction.FreeEni(candidate.eniId()));
            }
        }
        return Optional.empty();
    }

    /** The checks of docs/warm-pool.md section 4, numbered as there, plus ours (no "low" pool afterwards). */
    static boolean deletable(EniState eni, PoolState state, PoolTargets targets) {
        boolean prefixMode = PoolMode.of(targets).prefixes();
        if (eni.role() != EniRole.SECONDARY) {
            return false; // 1 and 8: never the primary, a trunk or an EFA ENI
        }
        if (Duration.between(eni.createdAt(), state.now()).compareTo(targets.timings().minEniAge()) < 0) {
            return false; // 2
        }
        if (eni.cooling() > 0 || eni.assigned() > 0) {
            return false; // 3 and 4
        }
        List<EniState> others = state.enis().stream().filter(e -> !e.eniId().equals(eni.eniId())).toList();
        PoolCounts rest = PoolCounts.of(others);
        int warmIp = PoolMath.roundedTarget(targets.warmIpTarget(), prefixMode);
        int minimumIp = PoolMath.roundedTarget(targets.minimumIpTarget(), prefixMode);
        if (targets.warmIpTarget() > 0 && rest.available() < warmIp) {
            return false; // 5 (cooling addresses on the others do not count as free here, unlike upstream)
        }
        if (targets.minimumIpTarget() > 0 && rest.total() < minimumIp) {
            return false; // 6
        }
        if (prefixMode && targets.warmPrefixTarget() > 0 && rest.unusedPrefixes() < targets.warmPrefixTarget()) {
            return false; // 7
        }
        return !PoolMath.isLow(rest, targets, state.limits());
    }
}
