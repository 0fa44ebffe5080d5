package io.vpccni.ipamd.warmpool;

import io.vpccni.ipamd.datastore.CidrStats;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One shrink step (docs/warm-pool.md sections 2 and 4): give back up to {@code excess} unused IPs or prefixes.
 *
 * <p>Only blocks with nothing assigned <em>and nothing cooling</em> are released (upstream may release a cooling
 * /32, E21; we wait for its cooldown to end). Highest device index first, highest address first: pods are packed
 * low, so this empties spare ENIs, which can then be freed whole.
 *
 * <p>In prefix mode secondary /32s left by a {@link PrefixFallback} go first, whenever unused, as in secondary-IP
 * mode; prefixes still go only when empty and beyond the prefix target.
 *
 * <p>Never releases so much that the pool would be "low" again right after: that is what makes upstream's
 * single spare prefix flap when WARM_PREFIX_TARGET = 0 (E11).
 */
final class ShrinkPlanner {

    record Result(List<PoolAction> actions, PoolState projected) {}

    private ShrinkPlanner() {}

    /**
     * @param excess units of the mode's kind above target ({@link PoolMath#excessUnits}); in prefix mode unused
     *               secondary /32s (a {@link PrefixFallback}'s) are given back first, as many as keep the pool
     *               not low, and the prefix excess is judged after them
     */
    static Result plan(PoolState state, PoolTargets targets, int excess) {
        boolean prefixMode = PoolMode.of(targets).prefixes();
        Result singles = prefixMode ? release(state, targets, false, PrefixFallback.unusedIps(state, targets))
                : new Result(List.of(), state);
        Result main = release(singles.projected(), targets, prefixMode, excess);
        List<PoolAction> actions = new ArrayList<>(singles.actions());
        actions.addAll(main.actions());
        return new Result(actions, main.projected());
    }

    /** Up to {@code max} unused CIDRs of one kind, the most that leave the pool not low. */
    private static Result release(PoolState state, PoolTargets targets, boolean prefixes, int max) {
        List<Pick> candidates = new ArrayList<>();
        for (EniState eni : state.enis().reversed()) {
            if (!eni.carriesPods()) {
                continue;
            }
            for (CidrStats cidr : eni.cidrs().reversed()) {
                if (cidr.isPrefix() == prefixes && cidr.isUnused()) {
                    candidates.add(new Pick(eni.eniId(), cidr.cidr()));
                }
            }
        }
        for (int count = Math.min(max, candidates.size()); count > 0; count--) {
            List<Pick> chosen = candidates.subList(0, count);
            PoolState projected = without(state, chosen);
            if (!PoolMath.isLow(PoolCounts.of(projected.enis()), targets, state.limits())) {
                return new Result(actions(chosen, prefixes), projected);
            }
        }
        return new Result(List.of(), state);
    }

    private record Pick(String eniId, Ipv4Cidr cidr) {}

    private static List<PoolAction> actions(List<Pick> chosen, boolean prefixMode) {
        Map<String, List<Ipv4Cidr>> byEni = chosen.stream().collect(Collectors.groupingBy(
                Pick::eniId, LinkedHashMap::new, Collectors.mapping(Pick::cidr, Collectors.toList())));
        return byEni.entrySet().stream()
                .map(e -> prefixMode ? (PoolAction) new PoolAction.ReleasePrefixes(e.getKey(), e.getValue())
                        : new PoolAction.ReleaseIps(e.getKey(), e.getValue()))
                .toList();
    }

    private static PoolState without(PoolState state, List<Pick> chosen) {
        Set<Ipv4Cidr> gone = chosen.stream().map(Pick::cidr).collect(Collectors.toSet());
        return state.withEnis(state.enis().stream()
                .map(e -> new EniState(e.eniId(), e.deviceIndex(), e.role(), e.createdAt(),
                        e.cidrs().stream().filter(c -> !gone.contains(c.cidr())).toList()))
                .toList());
    }
}
