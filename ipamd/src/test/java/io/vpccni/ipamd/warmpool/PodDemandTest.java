package io.vpccni.ipamd.warmpool;

import static io.vpccni.ipamd.warmpool.States.eni;
import static io.vpccni.ipamd.warmpool.States.ips;
import static io.vpccni.ipamd.warmpool.States.prefixes;
import static io.vpccni.ipamd.warmpool.States.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Pods bound and not yet added as demand (WARM_POOL_FOR_BOUND_PODS): the table of docs/warm-pool.md section 11,
 * {@link PodDemand#of} (demand, limits, headroom -> growth) and the tick the policy makes of it.
 */
class PodDemandTest {

    static final NodeLimits T3_SMALL = Instances.limits("t3.small");
    static final NodeLimits P3DN = Instances.limits("p3dn.24xlarge");
    static final OptionalInt UNKNOWN = OptionalInt.empty();

    final PoolPolicy policy = new PoolPolicy();

    /** One row of the table: the input, then what PodDemand.of and the tick decide. */
    record Row(String name, PoolState state, PoolTargets targets, int bound, OptionalInt subnetFree, int growFor,
               int counted, String limitedBy, PoolAction firstAction) {}

    static final List<Row> TABLE = List.of(
            // D1: 3 free, 5 coming: 2 lacking; the static target (WENI=1) then asks for a whole ENI on top
            new Row("D1", state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 0, 0))), PoolTargets.warmEni(1), 5, UNKNOWN,
                    2, 5, "", new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 3)),
            // D2: a lowered target (WENI=0): 1 coming, 2 free: nothing to do
            new Row("D2", state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 1, 0))), PoolTargets.warmEni(0), 1, UNKNOWN,
                    0, 1, "", new PoolAction.Hold("")),
            // D3: WENI=0, 2 coming take the 2 free: F' = 0 is WENI=0's "low", an ENI before their ADDs
            new Row("D3", state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 1, 0))), PoolTargets.warmEni(0), 2, UNKNOWN,
                    0, 2, "", new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 3)),
            // D4: WIP=1, 20 coming, 1 free: one call for all of them plus the warm one (short = 1 - (1 - 20) = 20)
            new Row("D4", state(P3DN, eni(0, EniRole.PRIMARY, ips(1, 0, 0))), PoolTargets.warmIp(1, 0), 20, UNKNOWN,
                    19, 20, "", new PoolAction.AllocateIps("eni-0", 20)),
            // D5: the subnet has 12 free: 12 of the 20 lacking are grown for, 22 of 30 pods counted
            new Row("D5", state(P3DN, eni(0, EniRole.PRIMARY, ips(10, 0, 0))), PoolTargets.warmIp(5, 10), 30,
                    OptionalInt.of(12), 12, 22, "the subnet has 12 free addresses",
                    new PoolAction.AllocateIps("eni-0", 17)),
            // D6: every ENI attached and full: nothing to grow, only the 3 free count
            new Row("D6", state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 3, 0)), eni(1, EniRole.SECONDARY, ips(3, 3, 0)),
                    eni(2, EniRole.SECONDARY, ips(3, 0, 0))), PoolTargets.warmEni(1), 10, UNKNOWN, 0, 3,
                    "room for 0 more addresses", new PoolAction.Hold("")),
            // D7: kubelet's max-pods (5) is 2 addresses away
            new Row("D7", state(new NodeLimits(3, 4, 0, 0, 5), eni(0, EniRole.PRIMARY, ips(3, 0, 0))),
                    PoolTargets.warmIp(1, 0), 6, UNKNOWN, 2, 5, "max-pods (5) is 2 addresses away",
                    new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 3)),
            // D8: prefixes, WPFX=1: 20 coming on one unused prefix; room counts 16 addresses a slot
            new Row("D8", state(Instances.limits("t3.small", 110), eni(0, EniRole.PRIMARY, prefixes(0))),
                    PoolTargets.warmPrefix(1), 20, UNKNOWN, 4, 20, "", new PoolAction.AllocatePrefixes("eni-0", 1)),
            // D9: MAX_ENI=1 leaves the primary's 2 free slots only
            new Row("D9", state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(1, 1, 0))), PoolTargets.warmIp(1, 0).withMaxEni(1),
                    5, UNKNOWN, 2, 2, "room for 2 more addresses", new PoolAction.AllocateIps("eni-0", 2)));

    @Test
    void demandLimitsAndHeadroomGiveTheGrowthOfTheTable() {
        for (Row row : TABLE) {
            PodDemand demand = PodDemand.of(row.state(), row.targets(), row.bound(), row.subnetFree());

            assertThat(demand.pods()).as(row.name()).isEqualTo(row.bound());
            assertThat(demand.growFor()).as(row.name() + ": grow for").isEqualTo(row.growFor());
            assertThat(demand.counted()).as(row.name() + ": counted").isEqualTo(row.counted());
            if (row.limitedBy().isEmpty()) {
                assertThat(demand.limitedBy()).as(row.name()).isEmpty();
            } else {
                assertThat(demand.limitedBy()).as(row.name()).hasValueSatisfying(r -> assertThat(r).contains(row.limitedBy()));
            }
            PoolAction first = policy.evaluate(row.state(), row.targets(), demand).actions().getFirst();
            if (row.firstAction() instanceof PoolAction.Hold) {
                assertThat(first).as(row.name()).isInstanceOf(PoolAction.Hold.class);
            } else {
                assertThat(first).as(row.name()).isEqualTo(row.firstAction());
            }
        }
    }

    @Test
    void withoutPodsComingTheTickIsTheStaticPolicys() {
        for (Row row : TABLE) {
            PodDemand none = PodDemand.of(row.state(), row.targets(), 0, row.subnetFree());

            assertThat(none).isEqualTo(PodDemand.NONE);
            assertThat(policy.evaluate(row.state(), row.targets(), none))
                    .as(row.name()).isEqualTo(policy.evaluate(row.state(), row.targets()));
        }
        // D1 and D3 without the pods: nothing to do, where with them an ENI comes before their ADDs
        assertThat(policy.evaluate(TABLE.get(0).state(), TABLE.get(0).targets()).isHold()).isTrue();
        assertThat(policy.evaluate(TABLE.get(2).state(), TABLE.get(2).targets()).isHold()).isTrue();
    }

    @Test
    void nothingIsShrunkOrFreedWhilePodsAreComing() {
        PoolState twoSpareEnisWorth = state(T3_SMALL, eni(0, EniRole.PRIMARY, ips(3, 0, 0)),
                eni(1, EniRole.SECONDARY, ips(3, 0, 0)), eni(2, EniRole.SECONDARY, ips(3, 0, 0)));
        PoolTargets warmIp = PoolTargets.warmIp(1, 0);

        assertThat(policy.evaluate(twoSpareEnisWorth, warmIp).shrinks()).as("static: over = 8").isTrue();
        PoolPlan coming = policy.evaluate(twoSpareEnisWorth, warmIp, PodDemand.of(twoSpareEnisWorth, warmIp, 2, UNKNOWN));
        assertThat(coming.actions()).singleElement().isInstanceOfSatisfying(PoolAction.Hold.class,
                h -> assertThat(h.reason()).contains("2 pods bound to the node are about to take addresses"));
        assertThat(policy.evaluate(twoSpareEnisWorth, PoolTargets.warmEni(1)).actions())
                .as("static WENI=1: the spare ENI goes").contains(new PoolAction.FreeEni("eni-2"));
        assertThat(policy.evaluate(twoSpareEnisWorth, PoolTargets.warmEni(1),
                PodDemand.of(twoSpareEnisWorth, PoolTargets.warmEni(1), 1, UNKNOWN)).isHold()).isTrue();
    }

    @Test
    void countedPodsTakePartlyUsedPrefixesFirst() {
        PoolCounts counts = new PoolCounts(48, 8, 0, 3, 2); // 8 free in the used prefix, 2 unused prefixes

        assertThat(counts.withPending(8).unusedPrefixes()).isEqualTo(2);
        assertThat(counts.withPending(9).unusedPrefixes()).isEqualTo(1);
        assertThat(counts.withPending(50).available()).isEqualTo(-10);
        assertThat(counts.withPending(50).unusedPrefixes()).isZero();
    }

    @Test
    void badInputIsRefusedWithWhatWasWrong() {
        PoolState state = TABLE.getFirst().state();

        assertThatThrownBy(() -> PodDemand.of(state, PoolTargets.warmEni(1), -1, UNKNOWN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative: -1");
        assertThatThrownBy(() -> PodDemand.of(state, PoolTargets.warmEni(1), 1, OptionalInt.of(-3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("free addresses");
        assertThatThrownBy(() -> new PodDemand(2, 0, 3, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("counted 3");
    }
}
