package io.vpccni.ipamd.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The least p99 EC2's create bucket allows a workload, given the addresses its nodes held when pods were bound. */
class P99BoundTest {

    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
    /** EC2's bucket for CreateNetworkInterface, the fleet's attach floor and sandbox, m5.xlarge's 14 per ENI. */
    private static final P99Bound.Ec2 EC2 = new P99Bound.Ec2(50, 5, Duration.ofMillis(3550), Duration.ofSeconds(1),
            14);

    /** Pods bound together, spread over the nodes; a node's k-th pod needing an ENI lacks k addresses. */
    private static List<P99Bound.Arrival> pods(int count, int nodes, double atSecond, P99Bound.Need need) {
        List<P99Bound.Arrival> pods = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int lacking = need == P99Bound.Need.ENI ? i / nodes + 1 : 0;
            pods.add(new P99Bound.Arrival(T0.plusMillis((long) (atSecond * 1000)), "node-" + (i % nodes), need,
                    lacking));
        }
        return pods;
    }

    @Test
    void podsThatFoundAnAddressOrASlotTakeOnlyTheSandbox() {
        List<P99Bound.Arrival> pods = pods(500, 50, 0, P99Bound.Need.FREE);
        pods.addAll(pods(500, 50, 0, P99Bound.Need.SLOT));
        assertThat(P99Bound.p99Millis(pods, EC2)).isEqualTo(1000);
        assertThat(P99Bound.p99Millis(List.of(), EC2)).isZero();
    }

    @Test
    void aBurstNeedingMoreEnisThanTheBucketHoldsWaitsForItsRefill() {
        // 100 nodes each needing an ENI for one pod: 50 creates at once, then one every 0.2 s; the 99th pod's
        // create comes (99 - 50) / 5 = 9.8 s after the burst, its address the floor later.
        assertThat(P99Bound.p99Millis(pods(100, 100, 0, P99Bound.Need.ENI), EC2)).isEqualTo(3550 + 9800);
    }

    @Test
    void theBucketRefillsBetweenBurstsAndOneEniServesANodesPodsUpToItsAddresses() {
        List<P99Bound.Arrival> pods = pods(50 * 14, 50, 0, P99Bound.Need.ENI); // 50 ENIs of 14
        pods.addAll(pods(50 * 14, 50, 300, P99Bound.Need.ENI)); // the same 5 minutes later, on fresh ENIs
        assertThat(P99Bound.requests(pods, 14)).hasSize(100).allSatisfy(r -> assertThat(r[1]).isEqualTo(14));
        assertThat(P99Bound.p99Millis(pods, EC2)).as("every create from a full bucket").isEqualTo(3550);
    }

    @Test
    void aPodBoundAfterItsNodesLastEniCameNeedsAnEniOfItsOwn() {
        // One node, a pod lacking an address every minute: each was bound after the one before had its address, so
        // each needs its own create, although one ENI has room for 14 pods.
        List<P99Bound.Arrival> pods = new ArrayList<>();
        for (int minute = 0; minute < 20; minute++) {
            pods.add(new P99Bound.Arrival(T0.plusSeconds(60L * minute), "node-0", P99Bound.Need.ENI, 1));
        }
        assertThat(P99Bound.requests(pods, 14)).hasSize(20).allSatisfy(r -> assertThat(r[1]).isEqualTo(1));
        // Two pods lacking 1 and 2 addresses, bound together, share one.
        List<P99Bound.Arrival> together = List.of(new P99Bound.Arrival(T0, "node-0", P99Bound.Need.ENI, 1),
                new P99Bound.Arrival(T0, "node-0", P99Bound.Need.ENI, 2));
        assertThat(P99Bound.requests(together, 14)).hasSize(1).allSatisfy(r -> assertThat(r[1]).isEqualTo(2));
    }

    @Test
    void firstComeFirstServedIsNoFasterThanTheBoundAndSlowerWhenSmallRequestsComeFirst() {
        // 100 nodes lacking one address each, bound before 10 nodes lacking 14 each: 240 pods, 110 ENI requests.
        List<P99Bound.Arrival> pods = pods(100, 100, 0, P99Bound.Need.ENI);
        for (int node = 0; node < 10; node++) {
            for (int lacking = 1; lacking <= 14; lacking++) {
                pods.add(new P99Bound.Arrival(T0, "big-" + node, P99Bound.Need.ENI, lacking));
            }
        }
        // 238 of the 240 pods must meet the p99. The bound serves the 10 large requests first, then 98 small ones:
        // the 108th token comes at (108 - 50) / 5 = 11.6 s.
        assertThat(P99Bound.p99Millis(pods, EC2)).isEqualTo(3550 + 11_600);
        // First come: the large requests are the last 10, their tokens at (101 - 50) / 5 = 10.2 s to 12 s, and the
        // 238th latency is one of the last request's 14 pods.
        assertThat(P99Bound.firstComeP99Millis(pods, EC2)).isEqualTo(3550 + 12_000);
        // With nothing to gain from the order, both are the same.
        List<P99Bound.Arrival> even = pods(100, 100, 0, P99Bound.Need.ENI);
        assertThat(P99Bound.firstComeP99Millis(even, EC2)).isEqualTo(P99Bound.p99Millis(even, EC2))
                .isEqualTo(3550 + 9800);
        assertThat(P99Bound.firstComeP99Millis(pods(10, 5, 0, P99Bound.Need.FREE), EC2)).isEqualTo(1000);
    }

    @Test
    void holdingMoreAddressesWarmLowersTheBound() {
        List<P99Bound.Arrival> cold = pods(1000, 500, 0, P99Bound.Need.ENI); // 500 ENIs of 2 pods
        List<P99Bound.Arrival> warm = pods(500, 500, 0, P99Bound.Need.FREE);
        warm.addAll(pods(500, 500, 0, P99Bound.Need.ENI)); // half found a warm address: 500 ENIs of 1 pod
        long coldBound = P99Bound.p99Millis(cold, EC2);
        // 990 pods need 495 ENIs: the 495th create at (495 - 50) / 5 = 89 s.
        assertThat(coldBound).isEqualTo(3550 + 89_000);
        // 490 of the ENI pods: the 490th create at 88 s; the warm half costs only the sandbox.
        assertThat(P99Bound.p99Millis(warm, EC2)).isEqualTo(3550 + 88_000).isLessThan(coldBound);
    }

    @Test
    void theAddressesANodeWouldHaveToHoldMoreForTheGoalAreTheShortfallThatLeavesTheBucketEnough() {
        // 100 nodes, each bound 3 pods at once that it lacked 1, 2 and 3 addresses for: 300 pods, 100 ENIs of 3.
        List<P99Bound.Arrival> pods = new ArrayList<>();
        for (int node = 0; node < 100; node++) {
            for (int lacking = 1; lacking <= 3; lacking++) {
                pods.add(new P99Bound.Arrival(T0, "node-" + node, P99Bound.Need.ENI, lacking));
            }
        }
        assertThat(P99Bound.p99Millis(pods, EC2)).as("the 99th ENI's create at 9.8 s").isEqualTo(3550 + 9800);
        // Holding 2 more, each node lacks only its third pod's address: 100 ENIs of 1, 297 pods needed, the 97th
        // create at 9.4 s. Holding 3 more, no ENI at all.
        assertThat(P99Bound.warmNeeded(pods, EC2, 7100)).hasValue(3);
        assertThat(P99Bound.warmNeeded(pods, EC2, 3550 + 9400)).hasValue(2);
        assertThat(P99Bound.warmNeeded(pods, EC2, 3550 + 9800)).hasValue(0);
    }
}
