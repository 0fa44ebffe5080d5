package io.vpccni.ipamd.warmpool;

import static io.vpccni.ipamd.warmpool.States.NOW;
import static io.vpccni.ipamd.warmpool.States.concat;
import static io.vpccni.ipamd.warmpool.States.coolingPrefix;
import static io.vpccni.ipamd.warmpool.States.eni;
import static io.vpccni.ipamd.warmpool.States.ips;
import static io.vpccni.ipamd.warmpool.States.prefixes;
import static io.vpccni.ipamd.warmpool.States.state;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which ENI may be freed (docs/warm-pool.md section 4, upstream's TestWarmENIInteractions, E20, E22, E26). */
class EniReleasePlannerTest {

    static final NodeLimits T3_SMALL = Instances.limits("t3.small");
    static final NodeLimits T3_SMALL_PD = Instances.limits("t3.small", 110);

    private static Optional<String> freed(PoolState state, PoolTargets targets) {
        return EniReleasePlanner.plan(state, targets).map(PoolAction.FreeEni::eniId);
    }

    @Test
    void followsUpstreamsWarmEniInteractionVectors() {
        List<EniState> enis = new ArrayList<>(List.of(
                eni(1, EniRole.PRIMARY, ips(2, 2, 0)),
                eni(2, EniRole.SECONDARY, ips(2, 0, 0)),
                eni(3, EniRole.SECONDARY, ips(1, 0, 0))));
        PoolState start = state(T3_SMALL, enis.toArray(EniState[]::new));

        assertThat(freed(start, PoolTargets.warmIp(3, 1))).as("(3,1): each is needed for WIP").isEmpty();
        assertThat(freed(start, PoolTargets.warmIp(1, 5))).as("(1,5): each is needed for MIN").isEmpty();
        assertThat(freed(start, PoolTargets.warmIp(2, 4))).as("(2,4)").contains("eni-3");

        enis.remove(2);
        PoolState withoutEni3 = start.withEnis(enis);
        assertThat(freed(withoutEni3, PoolTargets.warmIp(0, 3))).as("then (0,3)").isEmpty();
        assertThat(freed(withoutEni3, PoolTargets.warmIp(0, 2))).as("then (0,2)").contains("eni-2");

        enis.remove(1);
        enis.add(eni(4, EniRole.TRUNK, ips(1, 0, 0)));
        enis.add(eni(5, EniRole.EFA, ips(1, 0, 0)));
        assertThat(freed(start.withEnis(enis), PoolTargets.warmIp(0, 2))).as("trunk and EFA stay").isEmpty();

        enis.add(eni(6, EniRole.SECONDARY, List.of()));
        assertThat(freed(start.withEnis(enis), PoolTargets.warmIp(0, 2))).as("empty normal ENI goes").contains("eni-6");
    }

    @Test
    void keepsAnEniYoungerThanSixtySeconds() { // E22
        PoolTargets targets = PoolTargets.warmEni(1);
        EniState primary = eni(0, EniRole.PRIMARY, ips(3, 0, 0));

        PoolState young = state(T3_SMALL, primary, eni(1, EniRole.SECONDARY, NOW.minusSeconds(59), ips(3, 0, 0)));
        PoolState oldEnough = state(T3_SMALL, primary, eni(1, EniRole.SECONDARY, NOW.minusSeconds(60), ips(3, 0, 0)));

        assertThat(freed(young, targets)).isEmpty();
        assertThat(freed(oldEnough, targets)).contains("eni-1");
    }

    @Test
    void keepsAPodFreeEniWhileOneOfItsAddressesIsCooling() { // E20
        PoolTargets targets = PoolTargets.warmEni(1);
        EniState primary = eni(0, EniRole.PRIMARY, ips(3, 0, 0));

        PoolState cooling = state(T3_SMALL, primary, eni(1, EniRole.SECONDARY, ips(3, 0, 1)));
        PoolState cooled = state(T3_SMALL, primary, eni(1, EniRole.SECONDARY, ips(3, 0, 0)));

        assertThat(freed(cooling, targets)).isEmpty();
        assertThat(freed(cooled, targets)).contains("eni-1");
    }

    @Test
    void warmEniGateCountsFreeIpsNotEmptyEnis() { // E23
        PoolState spread = state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 1, 0)), eni(1, EniRole.SECONDARY, ips(3, 2, 0)));

        assertThat(PoolMath.isLow(PoolCounts.of(spread.enis()), PoolTargets.warmEni(1), T3_SMALL)).isFalse();
        assertThat(freed(spread, PoolTargets.warmEni(1))).isEmpty();
    }

    @Test
    void prefixGateOpensForAPodFreeEniWhichGoesOnlyIfOthersKeepAFreePrefix() { // E26
        PoolTargets targets = PoolTargets.warmPrefix(1);
        EniState podFree = eni(1, EniRole.SECONDARY, prefixes(0));

        PoolState othersHaveSpare = state(T3_SMALL_PD, eni(0, EniRole.PRIMARY, prefixes(16, 0)), podFree);
        PoolState othersFull = state(T3_SMALL_PD, eni(0, EniRole.PRIMARY, prefixes(16, 16)), podFree);

        assertThat(freed(othersHaveSpare, targets)).contains("eni-1");
        assertThat(freed(othersFull, targets)).isEmpty();
    }

    @Test
    void warmPrefixTargetStillGuardsEniReleaseInIpTargetMode() { // E13, check 7
        PoolTargets wip1Wpfx3 = PoolTargets.prefixWithIpTargets(1, 0, 3);
        PoolState state = state(T3_SMALL_PD, eni(0, EniRole.PRIMARY, prefixes(16, 0, 0)), eni(1, EniRole.SECONDARY, prefixes(0)));

        assertThat(freed(state, wip1Wpfx3)).as("others hold 2 free prefixes < WPFX 3").isEmpty();
        assertThat(freed(state, PoolTargets.prefixWithIpTargets(1, 0, 2))).contains("eni-1");
    }

    @Test
    void prefixWithOnlyCoolingAddressesBlocksItsEni() {
        PoolState state = state(T3_SMALL_PD, eni(0, EniRole.PRIMARY, prefixes(16, 0, 0)),
                eni(1, EniRole.SECONDARY, concat(List.of(), coolingPrefix(1))));

        assertThat(freed(state, PoolTargets.warmPrefix(1))).isEmpty();
    }

    @Test
    void neverFreesAnEniWhenThatWouldMakeThePoolLowAgain_divergesFromUpstreamE4() {
        // WARM_ENI_TARGET=0, primary exactly full, spare ENI pod-free: upstream's gate F >= 1*M is open and it frees
        // the spare, which makes F = 0 and re-attaches one next tick. We keep it.
        PoolState exactlyFull = state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 3, 0)), eni(1, EniRole.SECONDARY, ips(3, 0, 0)));

        assertThat(PoolMath.eniReleaseGate(PoolCounts.of(exactlyFull.enis()), PoolTargets.warmEni(0), T3_SMALL, true)).isTrue();
        assertThat(freed(exactlyFull, PoolTargets.warmEni(0))).isEmpty();
    }
}
