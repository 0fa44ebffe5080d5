package io.vpccni.ipamd.warmpool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The prefix fallback run to steady state with pods coming and going, on a simulated node whose subnet refuses
 * every /28 while fragmented (see {@link PoolSimulator#fragmented}).
 */
class SimulatedPrefixFallbackTest {

    static final NodeLimits T3_SMALL_PD = Instances.limits("t3.small", 110);
    static final NodeLimits M4_4XLARGE = Instances.limits("m4.4xlarge");

    @Test
    void podsGetSecondaryIpsWhileTheSubnetIsFragmentedAndPrefixesComeBackAfterwards() {
        PoolSimulator node = new PoolSimulator(M4_4XLARGE, PoolTargets.warmPrefix(1));
        node.fragmented(true);

        assertThat(node.scaleTo(20)).as("pods without an address").isZero();
        assertThat(node.prefixes()).isZero();
        assertThat(node.secondaryIps()).as("20 pods and the warm 16").isEqualTo(36);
        assertThat(node.refused()).isNotEmpty().allMatch(a -> a instanceof PoolAction.AllocatePrefixes
                || a.equals(new PoolAction.CreateEni(PoolAction.AddressUnit.PREFIX, 1)));

        node.fragmented(false);
        assertThat(node.scaleTo(40)).isZero();
        assertThat(node.prefixes()).as("growth uses prefixes again").isPositive();

        node.scaleTo(0);
        assertThat(node.secondaryIps()).as("every /32 given back once unused").isZero();
        assertThat(node.prefixes()).as("the warm prefix, as on a node that never fell back").isEqualTo(1);
    }

    @Test
    void aFallbackNodeSettlesWithoutFlapping() {
        PoolSimulator node = new PoolSimulator(M4_4XLARGE, PoolTargets.warmPrefix(1));
        node.fragmented(true);
        node.scaleTo(5);
        int actionsSoFar = node.history().size();
        int refusedSoFar = node.refused().size();

        for (int i = 0; i < 200; i++) {
            node.tick();
        }

        assertThat(node.history()).as("nothing assigned or released once at target").hasSize(actionsSoFar);
        assertThat(node.refused()).as("no prefix asked for while the pool is not low").hasSize(refusedSoFar);
    }

    @Test
    void slotsBoundTheFallbackAndAFullNodeGetsAPrefixBackByGivingUpAnUnusedSecondaryIp() {
        PoolSimulator node = fullOfSecondaryIps();

        node.fragmented(false);
        node.deletePods(3);
        node.settle();

        assertThat(node.prefixes()).isEqualTo(1);
        assertThat(node.secondaryIps()).as("the 6 /32s with pods stay, the unused ones went").isEqualTo(6);
        assertThat(node.scaleTo(20)).as("the prefix gives room for more pods").isZero();
    }

    @Test
    void aFullNodeInAStillFragmentedSubnetRetriesAPrefixOncePerBackOff() {
        PoolSimulator node = fullOfSecondaryIps();
        node.deletePods(3);
        node.advance(Duration.ofMinutes(1)); // cooldown over
        int refusedBefore = node.refused().size();
        int lowest = Integer.MAX_VALUE;

        for (int tick = 0; tick < 120; tick++) { // 10 minutes
            node.tick();
            lowest = Math.min(lowest, node.unusedAddresses());
        }

        int retries = node.refused().size() - refusedBefore;
        assertThat(retries).as("one prefix retry per 120 s back-off in 600 s").isBetween(4, 5);
        assertThat(lowest).as("a retry costs at most the one /32 given up for it").isEqualTo(2);
        assertThat(node.slotsPerEni()).containsExactly(3, 3, 3);
    }

    /**
     * t3.small (3 ENIs of 3 slots) in a fragmented subnet: 9 /32s, each with a pod, where prefixes would have given
     * 144 addresses. Not settled through {@link PoolSimulator#scaleTo}: while some of those /32s are unused, the
     * pool gives one up every back-off period to try a prefix again, so it is never quiet for long.
     */
    private static PoolSimulator fullOfSecondaryIps() {
        PoolSimulator node = new PoolSimulator(T3_SMALL_PD, PoolTargets.warmPrefix(1));
        node.fragmented(true);
        node.run(Duration.ofMinutes(1));
        assertThat(node.secondaryIps()).isEqualTo(9);
        for (int pod = 0; pod < 9; pod++) {
            assertThat(node.addPodNow()).isTrue();
        }
        node.run(Duration.ofMinutes(5));
        assertThat(node.addPodNow()).as("every slot of every ENI holds a /32 with a pod").isFalse();
        assertThat(node.slotsPerEni()).containsExactly(3, 3, 3);
        return node;
    }
}
