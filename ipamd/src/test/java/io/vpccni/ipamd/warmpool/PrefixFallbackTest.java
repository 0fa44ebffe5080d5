package io.vpccni.ipamd.warmpool;

import static io.vpccni.ipamd.warmpool.States.NOW;
import static io.vpccni.ipamd.warmpool.States.concat;
import static io.vpccni.ipamd.warmpool.States.eni;
import static io.vpccni.ipamd.warmpool.States.ips;
import static io.vpccni.ipamd.warmpool.States.prefixes;
import static io.vpccni.ipamd.warmpool.States.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.ipamd.datastore.CidrStats;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Prefix delegation in a fragmented subnet (EC2: InsufficientCidrBlocks): one tick of the policy on hand-built
 * states. Limits: 3 ENIs of 10 addresses (9 slots: /32s and /28s alike), as an m5.large.
 */
class PrefixFallbackTest {

    static final NodeLimits M5_LARGE = new NodeLimits(3, 10, 0, 0, 110);
    static final PoolTargets WPFX1 = PoolTargets.warmPrefix(1);

    final PoolPolicy policy = new PoolPolicy();

    private List<PoolAction> actions(PoolState state, PoolTargets targets) {
        return policy.evaluate(state, targets).actions();
    }

    /** The primary ENI with one full prefix: the pool is low by 16 addresses at WARM_PREFIX_TARGET=1. */
    private static PoolState fullPrefix(List<CidrStats> more) {
        return state(M5_LARGE, eni(0, EniRole.PRIMARY, concat(prefixes(16), more)));
    }

    @Test
    void insufficientCidrBlocksMakesTheNextGrowStepAskForSecondaryIps() {
        PoolState fragmented = fullPrefix(List.of()).withLastInsufficientCidrBlocks(NOW.minusSeconds(5));

        assertThat(actions(fullPrefix(List.of()), WPFX1)).containsExactly(new PoolAction.AllocatePrefixes("eni-0", 1));
        assertThat(actions(fragmented, WPFX1)).as("16 short, 8 slots left on eni-0")
                .containsExactly(new PoolAction.AllocateIps("eni-0", 8));
        assertThat(PrefixFallback.active(fragmented, WPFX1)).isTrue();
    }

    @Test
    void aFallbackEniIsCreatedWithSecondaryIpsWhenNoEniHasASlotLeft() {
        PoolState eniFull = fullPrefix(ips(8, 8, 0)).withLastInsufficientCidrBlocks(NOW);

        assertThat(actions(eniFull, WPFX1)).containsExactly(new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 9));
    }

    @Test
    void theFallbackAsksForTheAddressesThePoolIsShortOf() {
        PoolState sixFree = fullPrefix(ips(6, 0, 0)).withLastInsufficientCidrBlocks(NOW);
        PoolState nearMaxPods = state(new NodeLimits(3, 10, 0, 0, 18), eni(0, EniRole.PRIMARY, prefixes(16)))
                .withLastInsufficientCidrBlocks(NOW);
        PoolTargets wip5 = PoolTargets.prefixWithIpTargets(5, 0, 0);
        PoolTargets wpfx0 = PoolTargets.warmPrefix(0);

        assertThat(actions(sixFree, WPFX1)).containsExactly(new PoolAction.AllocateIps("eni-0", 2));
        assertThat(actions(fullPrefix(List.of()).withLastInsufficientCidrBlocks(NOW), wip5))
                .containsExactly(new PoolAction.AllocateIps("eni-0", 5));
        assertThat(actions(fullPrefix(List.of()).withLastInsufficientCidrBlocks(NOW), wpfx0))
                .as("WARM_PREFIX_TARGET=0 wants one free address").containsExactly(new PoolAction.AllocateIps("eni-0", 1));
        assertThat(actions(nearMaxPods, WPFX1)).as("never past max pods")
                .containsExactly(new PoolAction.AllocateIps("eni-0", 2));
    }

    @Test
    void prefixesAreAskedForAgainOnceTheBackOffHasPassed() {
        PoolState still = fullPrefix(List.of()).withLastInsufficientCidrBlocks(NOW.minusSeconds(120));
        PoolState over = fullPrefix(List.of()).withLastInsufficientCidrBlocks(NOW.minusSeconds(121));

        assertThat(actions(still, WPFX1)).containsExactly(new PoolAction.AllocateIps("eni-0", 8));
        assertThat(actions(over, WPFX1)).containsExactly(new PoolAction.AllocatePrefixes("eni-0", 1));
        assertThat(PrefixFallback.until(Optional.of(NOW.minusSeconds(100)), WPFX1, NOW))
                .contains(NOW.plusSeconds(20));
        assertThat(PrefixFallback.until(Optional.of(NOW.minusSeconds(121)), WPFX1, NOW)).isEmpty();
    }

    @Test
    void secondaryIpModeHasNoFallback() {
        PoolState ipNode = state(M5_LARGE, eni(0, EniRole.PRIMARY, ips(3, 3, 0)))
                .withLastInsufficientCidrBlocks(NOW);

        assertThat(PrefixFallback.active(ipNode, PoolTargets.warmIp(2, 0))).isFalse();
        assertThat(actions(ipNode, PoolTargets.warmIp(2, 0))).containsExactly(new PoolAction.AllocateIps("eni-0", 2));
    }

    @Test
    void insufficientFreeAddressesStillPausesAllGrowthDuringTheFallback() {
        PoolState noAddressAtAll = fullPrefix(List.of()).withLastInsufficientCidrBlocks(NOW)
                .withLastInsufficientAddressError(NOW);

        assertThat(actions(noAddressAtAll, WPFX1)).singleElement().isInstanceOfSatisfying(PoolAction.Hold.class,
                h -> assertThat(h.reason()).contains("insufficient addresses"));
    }

    @Test
    void anEniHoldingBothKindsHasOnlyTheSlotsBothLeave() {
        PoolState mixed = fullPrefix(ips(8, 8, 0));

        assertThat(mixed.enis().getFirst().units(true)).as("prefixes alone would leave 8 slots").isEqualTo(1);
        assertThat(mixed.enis().getFirst().slots()).isEqualTo(9);
        assertThat(actions(mixed, WPFX1)).as("no slot on eni-0: a new ENI")
                .containsExactly(new PoolAction.CreateEni(PoolAction.AddressUnit.PREFIX, 1));
        PoolState ipModeWithAPrefix = state(M5_LARGE, eni(0, EniRole.PRIMARY, concat(prefixes(16), ips(7, 7, 0))));
        assertThat(actions(ipModeWithAPrefix, PoolTargets.warmIp(3, 0))).as("IP mode counts the prefix's slot too")
                .containsExactly(new PoolAction.AllocateIps("eni-0", 1));
    }

    @Test
    void unusedSecondaryIpsGoBackFirstAndOnlyWhileThePoolStaysAtTarget() {
        // One full prefix, one empty prefix, 2 /32s with pods and 5 without: 21 free where 16 are wanted.
        PoolState aboveTarget = state(M5_LARGE, eni(0, EniRole.PRIMARY, concat(prefixes(16, 0), ips(7, 2, 0))));
        List<Ipv4Cidr> unused = aboveTarget.enis().getFirst().cidrs().stream()
                .filter(c -> !c.isPrefix() && c.isUnused()).map(CidrStats::cidr).toList();

        List<PoolAction> plan = actions(aboveTarget, WPFX1);

        assertThat(plan).singleElement().isInstanceOfSatisfying(PoolAction.ReleaseIps.class,
                r -> assertThat(r.ips()).containsExactlyInAnyOrderElementsOf(unused));
        PoolState atTarget = state(M5_LARGE, eni(0, EniRole.PRIMARY, concat(prefixes(16), ips(8, 0, 0))),
                eni(1, EniRole.SECONDARY, ips(8, 0, 0)));
        PoolState oneBeyond = state(M5_LARGE, eni(0, EniRole.PRIMARY, concat(prefixes(16), ips(8, 0, 0))),
                eni(1, EniRole.SECONDARY, ips(9, 0, 0)));
        assertThat(actions(atTarget, WPFX1)).as("all 16 are the warm pool")
                .singleElement().isInstanceOf(PoolAction.Hold.class);
        assertThat(actions(oneBeyond, WPFX1)).as("exactly the one beyond the target")
                .singleElement().isInstanceOfSatisfying(PoolAction.ReleaseIps.class, r -> {
                    assertThat(r.eniId()).isEqualTo("eni-1");
                    assertThat(r.ips()).hasSize(1);
                });
    }

    @Test
    void coolingSecondaryIpsStayUntilTheirCooldownEnds() {
        PoolState cooling = state(M5_LARGE, eni(0, EniRole.PRIMARY, concat(prefixes(16, 0), ips(3, 1, 2))));
        PoolState cooled = state(M5_LARGE, eni(0, EniRole.PRIMARY, concat(prefixes(16, 0), ips(3, 1, 0))));

        assertThat(policy.evaluate(cooling, WPFX1).isHold()).isTrue();
        assertThat(actions(cooled, WPFX1)).singleElement().isInstanceOfSatisfying(PoolAction.ReleaseIps.class,
                r -> assertThat(r.ips()).hasSize(2));
    }

    @Test
    void prefixesGoOnlyWhenEmptyAndAfterTheSecondaryIps() {
        // WARM_PREFIX_TARGET=0: one prefix with a pod, one empty prefix, two unused /32s.
        PoolState spare = state(M5_LARGE, eni(0, EniRole.PRIMARY, concat(prefixes(1, 0), ips(2, 0, 0))));
        Ipv4Cidr empty = spare.enis().getFirst().cidrs().get(1).cidr();

        List<PoolAction> plan = actions(spare, PoolTargets.warmPrefix(0));

        assertThat(plan).hasSize(2);
        assertThat(plan.get(0)).isInstanceOfSatisfying(PoolAction.ReleaseIps.class, r -> assertThat(r.ips()).hasSize(2));
        assertThat(plan.get(1)).isEqualTo(new PoolAction.ReleasePrefixes("eni-0", List.of(empty)));
    }

    @Test
    void shrinkingSecondaryIpsWaitsForTheShrinkInterval() {
        PoolState recentShrink = state(M5_LARGE, eni(0, EniRole.PRIMARY, concat(prefixes(16, 0), ips(5, 0, 0))))
                .withLastShrink(NOW.minusSeconds(10));

        assertThat(actions(recentShrink, WPFX1)).singleElement().isInstanceOfSatisfying(PoolAction.Hold.class,
                h -> assertThat(h.reason()).contains("5 secondary IPs").contains("last shrink"));
    }

    @Test
    void aNodeFullOfSecondaryIpsGivesOneUnusedBackToMakeRoomForAPrefix() {
        // Every slot of every ENI holds a /32 (left by a fallback); the pool is low and the fallback is over.
        PoolState full = state(M5_LARGE, eni(0, EniRole.PRIMARY, ips(9, 9, 0)), eni(1, EniRole.SECONDARY, ips(9, 9, 0)),
                eni(2, EniRole.SECONDARY, ips(9, 6, 0)));
        Ipv4Cidr highestUnused = full.enis().get(2).cidrs().get(8).cidr();

        assertThat(actions(full, WPFX1)).containsExactly(new PoolAction.ReleaseIps("eni-2", List.of(highestUnused)));
        assertThat(actions(full.withLastInsufficientCidrBlocks(NOW), WPFX1)).as("during the fallback: no room, hold")
                .singleElement().isInstanceOf(PoolAction.Hold.class);
        PoolState allUsed = state(M5_LARGE, eni(0, EniRole.PRIMARY, ips(9, 9, 0)), eni(1, EniRole.SECONDARY, ips(9, 9, 0)),
                eni(2, EniRole.SECONDARY, ips(9, 9, 0)));
        assertThat(actions(allUsed, WPFX1)).singleElement().isInstanceOfSatisfying(PoolAction.Hold.class,
                h -> assertThat(h.reason()).contains("every ENI is full"));
    }
}
