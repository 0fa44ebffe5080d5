package io.vpccni.ipamd.warmpool;

import io.vpccni.ipamd.datastore.CidrStats;
import java.util.List;
import java.util.Optional;

/**
 * One grow step (docs/warm-pool.md section 2, step 2): first fill the lowest-index ENI that has room, and only
 * if none has room attach a new ENI, if the ENI limit allows. One EC2 action per tick, as upstream. In prefix
 * mode during a {@link PrefixFallback} the step asks for secondary /32s instead of /28s.
 */
final class GrowPlanner {

    private GrowPlanner() {}

    static PoolAction plan(PoolState state, PoolTargets targets, PoolCounts counts) {
        boolean fallback = PrefixFallback.active(state, targets);
        boolean prefixes = PoolMode.of(targets).prefixes() && !fallback;
        int perEni = state.limits().unitsPerEni();
        int want = fallback ? PrefixFallback.ipsWanted(counts, targets, state.limits())
                : PoolMath.growUnits(counts, targets, state.limits());
        if (want <= 0) {
            // E27: a new ENI sized min(short, M) = 0 would be an attach for nothing.
            return new PoolAction.Hold("nothing to add: short is 0");
        }
        for (EniState eni : state.enis()) {
            if (!takesAddresses(eni, targets)) {
                continue;
            }
            // Slots of both kinds: an ENI that fell back to /32s has fewer slots left for prefixes, and the reverse.
            int room = perEni - eni.slots();
            if (room > 0) {
                int count = Math.min(room, want);
                return prefixes ? new PoolAction.AllocatePrefixes(eni.eniId(), count)
                        : new PoolAction.AllocateIps(eni.eniId(), count);
            }
        }
        int limit = state.limits().eniLimit(targets.maxEni());
        if (state.enis().size() >= limit) {
            if (prefixes) {
                Optional<PoolAction> room = roomForAPrefix(state, targets);
                if (room.isPresent()) {
                    return room.get();
                }
            }
            return new PoolAction.Hold("pool is low but every ENI is full and the ENI limit (" + limit + ") is reached");
        }
        PoolAction.AddressUnit unit = prefixes ? PoolAction.AddressUnit.PREFIX : PoolAction.AddressUnit.IP;
        return new PoolAction.CreateEni(unit, Math.min(want, perEni));
    }

    /**
     * After a fallback, /32s may fill every slot of every ENI; releasing one unused /32 makes room for a /28 of 16
     * on the next tick. Without this a pool that is low but full of /32s would never get a prefix back. If EC2
     * still has no /28, the fallback puts a /32 back: one attempt per back-off period, as for any prefix retry.
     */
    private static Optional<PoolAction> roomForAPrefix(PoolState state, PoolTargets targets) {
        for (EniState eni : state.enis().reversed()) {
            if (!takesAddresses(eni, targets)) {
                continue;
            }
            for (CidrStats cidr : eni.cidrs().reversed()) {
                if (!cidr.isPrefix() && cidr.isUnused()) {
                    return Optional.of(new PoolAction.ReleaseIps(eni.eniId(), List.of(cidr.cidr())));
                }
            }
        }
        return Optional.empty();
    }

    /** E29: with custom networking the primary ENI's subnet is not the pods' subnet. */
    static boolean takesAddresses(EniState eni, PoolTargets targets) {
        return eni.carriesPods() && !(eni.role() == EniRole.PRIMARY && targets.customNetworking());
    }
}
