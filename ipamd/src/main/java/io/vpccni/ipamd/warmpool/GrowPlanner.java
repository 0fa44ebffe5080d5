package io.vpccni.ipamd.warmpool;

/**
 * One grow step (docs/warm-pool.md section 2, step 2): first fill the lowest-index ENI that has room, and only
 * if none has room attach a new ENI, if the ENI limit allows. One EC2 action per tick, as upstream.
 */
final class GrowPlanner {

    private GrowPlanner() {}

    static PoolAction plan(PoolState state, PoolTargets targets, PoolCounts counts) {
        PoolMode mode = PoolMode.of(targets);
        int perEni = state.limits().unitsPerEni();
        int want = PoolMath.growUnits(counts, targets, state.limits());
        if (want <= 0) {
            // E27: a new ENI sized min(short, M) = 0 would be an attach for nothing.
            return new PoolAction.Hold("nothing to add: short is 0");
        }
        for (EniState eni : state.enis()) {
            if (!eni.carriesPods() || (eni.role() == EniRole.PRIMARY && targets.customNetworking())) {
                continue; // E29: with custom networking the primary ENI's subnet is not the pods' subnet
            }
            int room = perEni - eni.units(mode.prefixes());
            if (room > 0) {
                int count = Math.min(room, want);
                return mode.prefixes() ? new PoolAction.AllocatePrefixes(eni.eniId(), count)
                        : new PoolAction.AllocateIps(eni.eniId(), count);
            }
        }
        int limit = state.limits().eniLimit(targets.maxEni());
        if (state.enis().size() >= limit) {
            return new PoolAction.Hold("pool is low but every ENI is full and the ENI limit (" + limit + ") is reached");
        }
        PoolAction.AddressUnit unit = mode.prefixes() ? PoolAction.AddressUnit.PREFIX : PoolAction.AddressUnit.IP;
        return new PoolAction.CreateEni(unit, Math.min(want, perEni));
    }
}
