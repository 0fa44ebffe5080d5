package io.vpccni.ipamd.warmpool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The formulas on their own, with upstream's unit-test vectors (docs/warm-pool.md sections 3 and 8). */
class PoolMathTest {

    private static NodeLimits limits(int m, int maxPods) {
        return new NodeLimits(15, m + 1, 0, 0, maxPods);
    }

    private static PoolCounts secondary(int total, int assigned) {
        return new PoolCounts(total, assigned, 0, 0, 0);
    }

    private static PoolCounts prefixes(int prefixes, int assigned, int unusedPrefixes) {
        return new PoolCounts(16 * prefixes, assigned, 0, prefixes, unusedPrefixes);
    }

    @ParameterizedTest(name = "M={0} WENI={1} WIP={2} T={3} A={4} maxPods={5} -> low {6}")
    @CsvSource(textBlock = """
            14, 1, 0, 0, 0, 500, true
            14, 0, 0, 0, 0, 500, true
            14, 0, 3, 0, 0, 500, true
            3,  1, 1, 3, 0, 500, false
            3,  1, 0, 3, 1, 500, true
            3,  0, 0, 3, 1, 500, false
            3,  1, 0, 3, 3, 500, true
            3,  0, 0, 3, 3, 500, true
            3,  0, 5, 3, 3, 3,   false
            """)
    void lowCheckInSecondaryIpModeMatchesUpstreamVectors(int m, int weni, int wip, int total, int assigned,
                                                         int maxPods, boolean low) {
        PoolTargets targets = wip > 0 ? PoolTargets.warmIp(wip, 0) : PoolTargets.warmEni(weni);

        assertThat(PoolMath.isLow(secondary(total, assigned), targets, limits(m, maxPods))).isEqualTo(low);
    }

    @ParameterizedTest(name = "WPFX={0} prefixes={1} A={2} maxPods={3} -> low {4}")
    @CsvSource(textBlock = """
            1, 0, 0, 500, true
            0, 0, 0, 500, true
            1, 1, 0, 500, false
            1, 1, 1, 500, true
            0, 1, 1, 500, false
            1, 1, 3, 500, true
            0, 1, 3, 500, false
            1, 1, 3, 4,   false
            """)
    void lowCheckInPrefixModeMatchesUpstreamVectors(int wpfx, int prefixCount, int assigned, int maxPods, boolean low) {
        PoolCounts counts = prefixes(prefixCount, assigned, assigned == 0 ? prefixCount : 0);

        assertThat(PoolMath.isLow(counts, PoolTargets.warmPrefix(wpfx), limits(3, maxPods))).isEqualTo(low);
    }

    @ParameterizedTest(name = "secondary WIP={0} T={1} A={2} -> short {3}, over {4}")
    @CsvSource(textBlock = """
            5, 0, 0, 5, 0
            5, 2, 0, 3, 0
            5, 5, 0, 0, 0
            1, 4, 2, 0, 1
            1, 3, 2, 0, 0
            """)
    void shortAndOverInSecondaryIpModeMatchUpstreamVectors(int wip, int total, int assigned, int shortIps, int overIps) {
        PoolTargets targets = PoolTargets.warmIp(wip, 0);

        assertThat(PoolMath.shortIps(secondary(total, assigned), targets)).isEqualTo(shortIps);
        assertThat(PoolMath.overIps(secondary(total, assigned), targets)).isEqualTo(overIps);
    }

    @ParameterizedTest(name = "prefix WIP={0} prefixes={1} A=0 -> short {2} prefix(es), over {3}")
    @CsvSource(textBlock = """
            5, 0, 1, 0
            5, 2, 0, 1
            5, 1, 0, 0
            """)
    void shortAndOverInPrefixModeMatchUpstreamVectors(int wip, int prefixCount, int shortP, int overP) {
        PoolCounts counts = prefixes(prefixCount, 0, prefixCount);
        PoolTargets targets = PoolTargets.prefixWithIpTargets(wip, 0, 0);

        assertThat(PoolMath.shortPrefixes(counts, targets)).isEqualTo(shortP);
        assertThat(PoolMath.overPrefixes(counts, targets)).isEqualTo(overP);
    }

    @Test
    void noIpTargetsMeansWarmEniOrWarmPrefixMode() {
        assertThat(PoolMode.of(PoolTargets.warmIp(0, 0))).isEqualTo(PoolMode.WARM_ENI);
        assertThat(PoolMode.of(PoolTargets.warmIp(0, 3))).isEqualTo(PoolMode.IP_TARGETS);
        assertThat(PoolMode.of(PoolTargets.prefixWithIpTargets(0, 0, 2))).isEqualTo(PoolMode.WARM_PREFIX);
        assertThat(PoolMode.of(PoolTargets.prefixWithIpTargets(1, 0, 2))).isEqualTo(PoolMode.PREFIX_IP_TARGETS);
    }

    @Test
    void warmIpTargetAloneHasNoFloor() { // E3
        PoolTargets targets = PoolTargets.warmIp(4, 0);

        assertThat(PoolMath.shortIps(secondary(10, 8), targets)).isEqualTo(2);
        assertThat(PoolMath.overIps(secondary(10, 1), targets)).isEqualTo(5);
    }

    @Test
    void minimumIpTargetIsRoundedUpToWholePrefixes() { // E16, 1.4
        PoolTargets twenty = PoolTargets.prefixWithIpTargets(0, 20, 0);
        PoolTargets thirtyThree = PoolTargets.prefixWithIpTargets(0, 33, 0);

        assertThat(PoolMath.shortPrefixes(prefixes(0, 0, 0), twenty)).isEqualTo(2);
        assertThat(PoolMath.shortPrefixes(prefixes(0, 0, 0), thirtyThree)).isEqualTo(3);
        assertThat(PoolMath.overPrefixes(prefixes(2, 0, 2), twenty)).isZero();
    }

    @Test
    void fragmentedPrefixesReleaseNothingEvenWithExcessAddresses() { // E17
        PoolCounts threePrefixesOnePodEach = prefixes(3, 3, 0);
        PoolTargets targets = PoolTargets.prefixWithIpTargets(15, 0, 0);

        assertThat(PoolMath.shortIps(threePrefixesOnePodEach, targets)).isZero();
        assertThat(PoolMath.overIps(threePrefixesOnePodEach, targets)).isEqualTo(30);
        assertThat(PoolMath.overPrefixes(threePrefixesOnePodEach, targets)).isZero();
    }

    @Test
    void coolingAddressesCountAsAvailableOnlyInUpstreamsArithmetic() { // E19
        PoolCounts issue2896 = new PoolCounts(23, 19, 4, 0, 0);
        PoolTargets targets = PoolTargets.warmIp(2, 23);

        assertThat(issue2896.upstreamAvailable()).isEqualTo(4);
        assertThat(issue2896.available()).isZero();
        assertThat(PoolMath.shortIps(issue2896, targets)).isEqualTo(2);
    }
}
