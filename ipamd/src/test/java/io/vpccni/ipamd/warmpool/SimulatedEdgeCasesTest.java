package io.vpccni.ipamd.warmpool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The edge cases of docs/warm-pool.md section 8 that need pods coming and going, run to steady state. */
class SimulatedEdgeCasesTest {

    static final NodeLimits T3_SMALL = Instances.limits("t3.small");
    static final NodeLimits T3_SMALL_PD = Instances.limits("t3.small", 110);

    @ParameterizedTest(name = "[{index}] {0}: {1} -> {2} pods -> {3} ENIs, {4} addresses ({5})")
    @CsvSource(nullValues = "-", textBlock = """
            # case,              from, pods, ENIs, IPs, per ENI, WENI, WIP, MIN
            E2 MIN=5, 0,            0,    2,    5,   3+2,     -,    -,   5
            E2 MIN=5, 0,            5,    2,    5,   3+2,     -,    -,   5
            E5 WENI=5, 0,           0,    3,    9,   3+3+3,   5,    -,   -
            E6 WIP=5, 0,            0,    2,    5,   3+2,     -,    5,   -
            E6 WIP=5, 0,            1,    2,    6,   3+3,     -,    5,   -
            E6 WIP=5, 0,            4,    3,    9,   3+3+3,   -,    5,   -
            E6 WIP=5, 0,            5,    3,    9,   3+3+3,   -,    5,   -
            E7 WIP=20, 0,           0,    3,    9,   3+3+3,   -,    20,  -
            E8 WENI=2, 0,           0,    2,    6,   3+3,     2,    -,   -
            E8 WENI=2, 0,           1,    3,    9,   3+3+3,   2,    -,   -
            E24 WENI=1 down, 9,   0,    1,    3,   3,       1,    -,   -
            E25 WIP=2 MIN=5 down, 9, 0,   2,    5,   3+2,     -,    2,   5
            """)
    void secondaryIpEdgeCasesMatchUpstream(String name, int from, int pods, int enis, int ips, String perEni,
                                           Integer weni, Integer wip, Integer min) {
        PoolSimulator node = new PoolSimulator(T3_SMALL, Instances.secondary(weni, wip, min));
        node.scaleTo(from);

        node.scaleTo(pods);

        assertThat(node.enis()).isEqualTo(enis);
        assertThat(node.totalAddresses()).isEqualTo(ips);
        assertThat(node.unitsPerEni()).isEqualTo(perEni);
    }

    @Test
    void minimumIpTargetAloneLeavesTheSixthPodWithoutAnAddress() { // E2
        PoolSimulator node = new PoolSimulator(T3_SMALL, PoolTargets.warmIp(0, 5));

        assertThat(node.scaleTo(6)).as("failed pods").isEqualTo(1);
        assertThat(node.totalAddresses()).isEqualTo(5);
    }

    @Test
    void warmEniTargetZeroSettlesWithoutOscillating_divergesFromUpstreamE4() {
        PoolSimulator node = new PoolSimulator(T3_SMALL, PoolTargets.warmEni(0));
        node.scaleTo(2);
        assertThat(node.enis()).isEqualTo(1);
        assertThat(node.totalAddresses()).isEqualTo(3);

        node.scaleTo(3);
        int actionsSoFar = node.history().size();
        for (int i = 0; i < 200; i++) {
            node.tick();
        }

        assertThat(node.enis()).isEqualTo(2);
        assertThat(node.totalAddresses()).isEqualTo(6);
        assertThat(node.history()).as("no attach/free after settling").hasSize(actionsSoFar);
    }

    @Test
    void singleSparePrefixDoesNotFlapAtWarmPrefixTargetZero_divergesFromUpstreamE11() {
        PoolSimulator node = new PoolSimulator(T3_SMALL_PD, PoolTargets.warmPrefix(0));
        node.settle();
        int actionsSoFar = node.history().size();
        for (int i = 0; i < 200; i++) {
            node.tick();
        }

        assertThat(node.prefixes()).isEqualTo(1);
        assertThat(node.history()).hasSize(actionsSoFar).hasSize(1);
    }

    @ParameterizedTest(name = "[{index}] {0}: {1} pods -> {2} prefixes ({3}), {4} pods without address")
    @CsvSource(nullValues = "-", textBlock = """
            # case,               pods, prefixes, per ENI, failed, WPFX, WIP, MIN, maxPods
            E9 max-pods cap,      0,    1,        1,       0,      1,    -,   -,   11
            E9 max-pods cap,      5,    1,        1,       0,      1,    -,   -,   11
            E12 MIN=20,           0,    2,        2,       0,      0,    -,   20,  110
            E12 MIN=20,           33,   2,        2,       1,      0,    -,   20,  110
            E13 WPFX=3 WIP=1,     0,    1,        1,       0,      3,    1,   -,   110
            E14 WPFX=2,           0,    2,        2,       0,      2,    -,   -,   110
            E14 WPFX=2,           1,    3,        3,       0,      2,    -,   -,   110
            E14 WPFX=2,           16,   3,        3,       0,      2,    -,   -,   110
            E14 WPFX=2,           17,   4,        3+1,     0,      2,    -,   -,   110
            E15 WIP=16,           0,    1,        1,       0,      -,    16,  -,   110
            E15 WIP=16,           1,    2,        2,       0,      -,    16,  -,   110
            E15 WIP=16,           16,   2,        2,       0,      -,    16,  -,   110
            E15 WIP=16,           17,   3,        3,       0,      -,    16,  -,   110
            E16 MIN=33,           0,    3,        3,       0,      -,    -,   33,  110
            """)
    void prefixEdgeCasesMatchUpstream(String name, int pods, int prefixes, String perEni, int failed,
                                      Integer wpfx, Integer wip, Integer min, int maxPods) {
        PoolSimulator node = new PoolSimulator(Instances.limits("t3.small", maxPods), Instances.prefix(wpfx, wip, min));

        assertThat(node.scaleTo(pods)).as("pods without an address").isEqualTo(failed);

        assertThat(node.prefixes()).isEqualTo(prefixes);
        assertThat(node.unitsPerEni()).isEqualTo(perEni);
    }

    @Test
    void warmPrefixTargetOfTwoIsRequestedInOneCall() { // E14
        PoolSimulator node = new PoolSimulator(T3_SMALL_PD, PoolTargets.warmPrefix(2));

        assertThat(node.tick().actions()).containsExactly(new PoolAction.AllocatePrefixes("eni-0", 2));
    }

    @Test
    void oneGrowStepMayOvershootMaxPods() { // E10
        PoolSimulator node = new PoolSimulator(Instances.limits("t3.small", 5), PoolTargets.warmEni(1));
        node.scaleTo(1);
        assertThat(node.totalAddresses()).isEqualTo(6);

        node.scaleTo(4);
        assertThat(node.totalAddresses()).as("capped: T >= maxPods is never low").isEqualTo(6);
    }

    @Test
    void maxEniCapsTheNode() { // E28
        PoolSimulator node = new PoolSimulator(T3_SMALL, PoolTargets.warmEni(1).withMaxEni(2));

        assertThat(node.scaleTo(9)).as("pods without an address").isEqualTo(3);
        assertThat(node.enis()).isEqualTo(2);
        assertThat(node.totalAddresses()).isEqualTo(6);
    }

    @Test
    void customNetworkingLeavesThePrimaryEniOutOfThePool() { // E29
        PoolSimulator node = new PoolSimulator(T3_SMALL, PoolTargets.warmEni(1).withCustomNetworking(true));
        node.scaleTo(0);
        assertThat(node.unitsPerEni()).isEqualTo("0+3");

        assertThat(node.scaleTo(7)).as("capacity is (3 - 1) * 3").isEqualTo(1);
        assertThat(node.unitsPerEni()).isEqualTo("0+3+3");
    }

    @Test
    void scaleDownFromThreeEnisEndsWithOne() { // E24 on m4.4xlarge, README 2.3 in reverse
        PoolSimulator node = new PoolSimulator(Instances.limits("m4.4xlarge"), PoolTargets.warmEni(1));
        node.scaleTo(58);
        assertThat(node.enis()).isEqualTo(3);

        node.scaleTo(0);

        assertThat(node.enis()).isEqualTo(1);
        assertThat(node.totalAddresses()).isEqualTo(29);
    }

    @Test
    void podsReplacedDuringCooldownMakeThePoolGrow_divergesFromUpstreamIssue2896() { // E19 end to end
        PoolSimulator node = new PoolSimulator(Instances.limits("p3dn.24xlarge"), PoolTargets.warmIp(2, 23));
        node.scaleTo(21);
        assertThat(node.totalAddresses()).isEqualTo(23);

        node.deletePods(4);
        assertThat(node.addPodNow()).isTrue();
        assertThat(node.addPodNow()).isTrue();

        assertThat(node.tick().actions()).as("4 cooling, 0 free: upstream would hold").containsExactly(
                new PoolAction.AllocateIps("eni-0", 2));
        assertThat(node.addPodNow()).isTrue();
    }
}
