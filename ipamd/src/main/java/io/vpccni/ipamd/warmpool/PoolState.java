package io.vpccni.ipamd.warmpool;

import io.vpccni.ipamd.datastore.PoolStats;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the policy looks at for one network card, taken at {@code now}.
 *
 * @param lastShrink                   when IPs or prefixes were last released (shrinks are 30 s apart)
 * @param lastInsufficientAddressError when EC2 last said the subnet had no free address
 *                                     (InsufficientFreeAddressesInSubnet: growth pauses 120 s)
 * @param lastInsufficientCidrBlocks   when EC2 last said the subnet had no free aligned /28 although it may still
 *                                     have single addresses (InsufficientCidrBlocks: prefix mode grows with /32s
 *                                     for 120 s, see {@link PrefixFallback})
 */
public record PoolState(Instant now, List<EniState> enis, NodeLimits limits, Set<NodeCondition> conditions,
                        Optional<Instant> lastShrink, Optional<Instant> lastInsufficientAddressError,
                        Optional<Instant> lastInsufficientCidrBlocks) {
    public PoolState {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(limits, "limits");
        enis = enis.stream().sorted(Comparator.comparingInt(EniState::deviceIndex).thenComparing(EniState::eniId)).toList();
        conditions = conditions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(conditions));
        Objects.requireNonNull(lastShrink, "lastShrink");
        Objects.requireNonNull(lastInsufficientAddressError, "lastInsufficientAddressError");
        Objects.requireNonNull(lastInsufficientCidrBlocks, "lastInsufficientCidrBlocks");
    }

    /** A state with no InsufficientCidrBlocks on record. */
    public PoolState(Instant now, List<EniState> enis, NodeLimits limits, Set<NodeCondition> conditions,
                     Optional<Instant> lastShrink, Optional<Instant> lastInsufficientAddressError) {
        this(now, enis, limits, conditions, lastShrink, lastInsufficientAddressError, Optional.empty());
    }

    /** A state with no conditions and no history; ENIs from the datastore with PRIMARY/SECONDARY roles. */
    public static PoolState of(Instant now, PoolStats stats, NodeLimits limits) {
        return new PoolState(now, stats.enis().stream().map(EniState::from).toList(), limits, Set.of(),
                Optional.empty(), Optional.empty());
    }

    public PoolState withEnis(List<EniState> newEnis) {
        return new PoolState(now, newEnis, limits, conditions, lastShrink, lastInsufficientAddressError,
                lastInsufficientCidrBlocks);
    }

    public PoolState withConditions(Set<NodeCondition> newConditions) {
        return new PoolState(now, enis, limits, newConditions, lastShrink, lastInsufficientAddressError,
                lastInsufficientCidrBlocks);
    }

    public PoolState withLastShrink(Instant when) {
        return new PoolState(now, enis, limits, conditions, Optional.of(when), lastInsufficientAddressError,
                lastInsufficientCidrBlocks);
    }

    public PoolState withLastInsufficientAddressError(Instant when) {
        return new PoolState(now, enis, limits, conditions, lastShrink, Optional.of(when),
                lastInsufficientCidrBlocks);
    }

    public PoolState withLastInsufficientCidrBlocks(Instant when) {
        return new PoolState(now, enis, limits, conditions, lastShrink, lastInsufficientAddressError,
                Optional.of(when));
    }
}
