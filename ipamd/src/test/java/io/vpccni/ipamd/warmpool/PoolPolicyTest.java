package io.vpccni.ipamd.warmpool;

import static io.vpccni.ipamd.warmpool.States.NOW;
import static io.vpccni.ipamd.warmpool.States.eni;
import static io.vpccni.ipamd.warmpool.States.ips;
import static io.vpccni.ipamd.warmpool.States.prefixes;
import static io.vpccni.ipamd.warmpool.States.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.netlink.ip.Ipv4Cidr;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One tick of the policy on hand-built states: order of operations, suppression, timers, our differences. */
class PoolPolicyTest {

    static final NodeLimits T3_SMALL = Instances.limits("t3.small");
    static final NodeLimits T3_SMALL_PD = Instances.limits("t3.small", 110);
    static final NodeLimits P3DN = Instances.limits("p3dn.24xlarge");

    final PoolPolicy policy = new PoolPolicy();

    private List<PoolAction> actions(PoolState state, PoolTargets targets) {
        return policy.evaluate(state, targets).actions();
    }

    private static PoolState lowWarmEniNode() {
        return state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 3, 0)));
    }

    private static PoolState tooHighWithFreeableEni() {
        return state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 0, 0)), eni(1, EniRole.SECONDARY, ips(3, 0, 0)),
                eni(2, EniRole.SECONDARY, ips(3, 0, 0)));
    }

    @Test
    void topsUpAnEniWithRoomBeforeAttachingANewOne() {
        PoolState room = state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(2, 0, 0)));

        assertThat(actions(room, PoolTargets.warmEni(1))).containsExactly(new PoolAction.AllocateIps("eni-0", 1));
        assertThat(actions(lowWarmEniNode(), PoolTargets.warmEni(1)))
                .containsExactly(new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 3));
    }

    @Test
    void holdsWhenLowButNoEniSlotIsLeft() { // E5, E28
        PoolState full = state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 3, 0)), eni(1, EniRole.SECONDARY, ips(3, 3, 0)));

        assertThat(actions(full, PoolTargets.warmEni(1).withMaxEni(2))).singleElement()
                .isInstanceOfSatisfying(PoolAction.Hold.class, h -> assertThat(h.reason()).contains("ENI limit (2)"));
        assertThat(T3_SMALL.eniLimit(2)).isEqualTo(2);
        assertThat(T3_SMALL.eniLimit(5)).isEqualTo(3);
        assertThat(T3_SMALL.eniLimit(0)).isEqualTo(3);
        assertThat(new NodeLimits(3, 4, 1, 1, 11).eniLimit(0)).as("unmanaged and reserved slots").isEqualTo(1);
    }

    @Test
    void growsWhenFreeAddressesAreAllCooling_divergesFromUpstreamIssue2896() { // E19
        PoolState issue2896 = state(P3DN, eni(0, EniRole.PRIMARY, ips(23, 19, 4)));

        PoolPlan plan = policy.evaluate(issue2896, PoolTargets.warmIp(2, 23));

        assertThat(plan.actions()).containsExactly(new PoolAction.AllocateIps("eni-0", 2));
        assertThat(plan.counts().upstreamAvailable()).as("upstream sees 4 free and does nothing").isEqualTo(4);
    }

    @Test
    void neverReleasesACoolingIp_divergesFromUpstreamE21() {
        PoolState oneCoolingOneFree = state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 1, 1)));
        PoolState coolingAndTwoFree = state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 0, 1)), eni(1, EniRole.SECONDARY, ips(1, 0, 0)));

        assertThat(policy.evaluate(oneCoolingOneFree, PoolTargets.warmIp(1, 0)).isHold()).isTrue();
        Ipv4Cidr cooling = coolingAndTwoFree.enis().getFirst().cidrs().getFirst().cidr();
        List<Ipv4Cidr> released = actions(coolingAndTwoFree, PoolTargets.warmIp(1, 0)).stream()
                .flatMap(a -> a instanceof PoolAction.ReleaseIps(String eniId, List<Ipv4Cidr> ips) ? ips.stream() : java.util.stream.Stream.empty())
                .toList();
        assertThat(released).as("over = 2: both free IPs go, the cooling one stays").hasSize(2).doesNotContain(cooling);
    }

    @Test
    void singleSparePrefixIsKeptAtWarmPrefixTargetZero_divergesFromUpstreamE11() {
        PoolState oneUnusedPrefix = state(T3_SMALL_PD, eni(0, EniRole.PRIMARY, prefixes(0)));
        PoolTargets wpfx0 = PoolTargets.warmPrefix(0);

        assertThat(PoolMath.excessUnits(PoolCounts.of(oneUnusedPrefix.enis()), wpfx0)).as("upstream: too high").isEqualTo(1);
        assertThat(policy.evaluate(oneUnusedPrefix, wpfx0).isHold()).isTrue();
    }

    /**
     * Upstream judges the release of an empty ENI on the state after the tick's grow, so it grows and frees in one
     * tick; we free no ENI while the pool is low, so the empty ENI goes one tick later: the grow has not happened
     * when the plan is made, and EC2 may refuse it (a throttle, a full subnet), which would leave the pool low
     * without the ENI given back.
     */
    @Test
    void growsThisTickAndFreesTheEmptyEniTheNext_divergesFromUpstream() {
        PoolTargets wip2 = PoolTargets.warmIp(2, 0);
        PoolState low = state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(1, 1, 0)), eni(1, EniRole.SECONDARY, ips(0, 0, 0)));
        PoolState grown = state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 1, 0)), eni(1, EniRole.SECONDARY, ips(0, 0, 0)));

        assertThat(actions(low, wip2)).as("upstream: AllocateIps(eni-0, 2) and FreeEni(eni-1)")
                .containsExactly(new PoolAction.AllocateIps("eni-0", 2));
        assertThat(actions(grown, wip2)).as("the next tick, on the grown state").containsExactly(
                new PoolAction.FreeEni("eni-1"));
    }

    @Test
    void shrinksThenFreesTheEmptiedEniInTheSameTick() { // E25, upstream order 1.0
        List<PoolAction> plan = actions(tooHighWithFreeableEni(), PoolTargets.warmIp(2, 5));

        assertThat(plan).hasSize(3);
        assertThat(plan.get(0)).isInstanceOfSatisfying(PoolAction.ReleaseIps.class, r -> {
            assertThat(r.eniId()).isEqualTo("eni-2");
            assertThat(r.ips()).hasSize(3);
        });
        assertThat(plan.get(1)).isInstanceOfSatisfying(PoolAction.ReleaseIps.class, r -> {
            assertThat(r.eniId()).isEqualTo("eni-1");
            assertThat(r.ips()).containsExactly(Ipv4Cidr.parse("10.1.0.18/32"));
        });
        assertThat(plan.get(2)).isEqualTo(new PoolAction.FreeEni("eni-2"));
    }

    @Test
    void waitsThirtySecondsBetweenShrinksButNotToFreeAnEni() {
        PoolTargets targets = PoolTargets.warmIp(2, 5);

        List<PoolAction> recent = actions(tooHighWithFreeableEni().withLastShrink(NOW.minusSeconds(30)), targets);
        List<PoolAction> due = actions(tooHighWithFreeableEni().withLastShrink(NOW.minusSeconds(31)), targets);

        assertThat(recent).containsExactly(new PoolAction.FreeEni("eni-2"));
        assertThat(due).first().isInstanceOf(PoolAction.ReleaseIps.class);
    }

    @Test
    void aSecondShrinkReleasesNothing() { // 2.6, TestDecreaseIPPool
        PoolState afterShrink = state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(2, 2, 0)), eni(1, EniRole.SECONDARY, ips(1, 0, 0)));

        assertThat(policy.evaluate(afterShrink, PoolTargets.warmIp(1, 0)).isHold()).isTrue();
    }

    @Test
    void fragmentedOrPartlyUsedPrefixesAreLeftAlone() { // E17, E18
        PoolState fragmented = state(T3_SMALL_PD, eni(0, EniRole.PRIMARY, prefixes(1, 1, 1)));
        PoolState halfFull = state(T3_SMALL_PD, eni(0, EniRole.PRIMARY, prefixes(8, 8)));

        assertThat(policy.evaluate(fragmented, PoolTargets.prefixWithIpTargets(15, 0, 0)).isHold()).isTrue();
        assertThat(policy.evaluate(halfFull, PoolTargets.warmPrefix(1)).isHold()).isTrue();
    }

    @Test
    void attachesNothingWhenTheShortfallIsZero() { // E27
        PoolState satisfied = state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 3, 0)));
        PoolTargets minimumOnly = PoolTargets.warmIp(0, 3);

        assertThat(GrowPlanner.plan(satisfied, minimumOnly, PoolCounts.of(satisfied.enis())))
                .isInstanceOf(PoolAction.Hold.class);
    }

    @Test
    void secondaryNetworkCardsAlwaysUseOneWarmAndOneMinimumIp() { // E30
        PoolTargets fromEnv = PoolTargets.warmEni(3);

        assertThat(fromEnv.forNetworkCard(0)).isEqualTo(fromEnv);
        assertThat(fromEnv.forNetworkCard(1)).satisfies(t -> {
            assertThat(t.warmIpTarget()).isEqualTo(1);
            assertThat(t.minimumIpTarget()).isEqualTo(1);
        });
    }

    @Test
    void pausesGrowthForTwoMinutesAfterAnInsufficientAddressError() { // E31
        PoolTargets targets = PoolTargets.warmEni(1);

        List<PoolAction> paused = actions(lowWarmEniNode().withLastInsufficientAddressError(NOW.minusSeconds(120)), targets);
        List<PoolAction> resumed = actions(lowWarmEniNode().withLastInsufficientAddressError(NOW.minusSeconds(121)), targets);
        List<PoolAction> shrinking = actions(tooHighWithFreeableEni().withLastInsufficientAddressError(NOW), PoolTargets.warmIp(2, 5));

        assertThat(paused).singleElement().isInstanceOfSatisfying(PoolAction.Hold.class,
                h -> assertThat(h.reason()).contains("insufficient addresses"));
        assertThat(resumed).containsExactly(new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 3));
        assertThat(shrinking).hasSize(3);
    }

    @Test
    void terminatingNodeNeitherGrowsNorFreesEnisButStillShrinks() { // E32
        Set<NodeCondition> terminating = Set.of(NodeCondition.TERMINATING);

        assertThat(policy.evaluate(lowWarmEniNode().withConditions(terminating), PoolTargets.warmEni(1)).isHold()).isTrue();
        assertThat(actions(tooHighWithFreeableEni().withConditions(terminating), PoolTargets.warmIp(2, 5)))
                .hasSize(2).allMatch(a -> a instanceof PoolAction.ReleaseIps);
    }

    @Test
    void unschedulableNodeIsLeftAloneUnlessTheOperatorAsksOtherwise() { // E32
        Set<NodeCondition> unschedulable = Set.of(NodeCondition.UNSCHEDULABLE);
        PoolTargets defaults = PoolTargets.warmEni(1);

        assertThat(policy.evaluate(lowWarmEniNode().withConditions(unschedulable), defaults).isHold()).isTrue();
        assertThat(actions(lowWarmEniNode().withConditions(unschedulable), defaults.withManageEnisNonSchedulable(true)))
                .containsExactly(new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 3));
        assertThat(policy.evaluate(tooHighWithFreeableEni().withConditions(unschedulable), defaults).isHold()).isTrue();
        assertThat(actions(tooHighWithFreeableEni().withConditions(unschedulable), defaults.withManageEnisNonSchedulable(true)))
                .containsExactly(new PoolAction.FreeEni("eni-2"));
    }

    @Test
    void customNetworkingNeverGivesThePrimaryEniPodAddresses() { // E29
        PoolState fresh = state(T3_SMALL, eni(0, EniRole.PRIMARY, List.of()));

        assertThat(actions(fresh, PoolTargets.warmEni(1).withCustomNetworking(true)))
                .containsExactly(new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 3));
        assertThat(actions(fresh, PoolTargets.warmEni(1))).containsExactly(new PoolAction.AllocateIps("eni-0", 3));
    }

    @Test
    void trunkAndEfaEnisGetNoAddresses() {
        PoolState withTrunk = state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 3, 0)), eni(1, EniRole.TRUNK, List.of()));

        assertThat(actions(withTrunk, PoolTargets.warmEni(1)))
                .containsExactly(new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 3));
    }
}
