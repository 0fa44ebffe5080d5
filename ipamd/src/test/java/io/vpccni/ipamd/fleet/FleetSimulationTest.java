package io.vpccni.ipamd.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.ipamd.warmpool.PoolTargets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A small fleet (20 nodes, 300 pods; then churn, bursts of 100 pods, a rolling update and a roll of ipamd's DaemonSet
 * at once) in virtual time: the simulator's invariants, for ours, ours with WARM_POOL_FOR_BOUND_PODS and
 * WARM_ENI_TARGET=0, and the aws-vpc-cni model.
 */
class FleetSimulationTest {

    static FleetSimulation.Scenario small(long seed) {
        return new FleetSimulation.Scenario("small", 20, 300, 5, Duration.ofSeconds(20), Duration.ofMinutes(3),
                Duration.ofMinutes(2), 100, Duration.ofSeconds(90), true, true, "m5.xlarge", PoolTargets.warmEni(1), true,
                seed);
    }

    @Test
    void everyBoundPodGetsAnAddressNoAddressIsHeldTwiceAndEveryEc2CallIsCounted() {
        for (FleetSimulation.Variant variant : List.of(FleetSimulation.Variant.OURS,
                FleetSimulation.Variant.BOUND_PODS_WENI0, FleetSimulation.Variant.BASELINE)) {
            FleetReport report = new FleetSimulation(small(7), variant).run();
            assertThat(report.violations()).as(variant + ": addresses held twice or unknown to EC2").isEmpty();
            assertThat(report.readyNodes()).isEqualTo(20);
            assertThat(report.pods()).as("300 bound at scale-out, more by churn and bursts").isGreaterThan(400);
            assertThat(report.unaddressed()).as(variant + ": pods bound and never addressed").isZero();
            assertThat(report.ec2Calls()).as("what the guards sent is what EC2 counted")
                    .isEqualTo(report.guardRequests());
            assertThat(report.p99Millis()).isGreaterThanOrEqualTo(report.p50Millis());
            assertThat(report.rollSeconds()).as("every node's ipamd restarted from its checkpoint").isPositive();
            assertThat(report.restartRequests()).as("a restart asks EC2 for the node's ENIs again").isPositive();
            assertThat(report.idleAddressHours()).isPositive();
            assertThat(report.callsByApi()).containsKeys("CreateNetworkInterface", "AttachNetworkInterface");
            if (variant == FleetSimulation.Variant.BASELINE) {
                assertThat(report.callsByApi()).containsKey("DescribeInstances");
            } else {
                assertThat(report.callsByApi()).doesNotContainKey("DescribeInstances");
            }
        }
    }

    /**
     * With the account's budget on Leases no budgeted (mutating) API is throttled by EC2: the nodes' calls of each
     * stay within its refill, whatever bursts and rolls ask; only the describes, left to each node, can be.
     */
    @Test
    void withTheBudgetOnLeasesEc2ThrottlesNoBudgetedCall() {
        FleetReport report = new FleetSimulation(small(7), FleetSimulation.Variant.BUDGET).run();
        assertThat(report.violations()).isEmpty();
        assertThat(report.unaddressed()).isZero();
        assertThat(report.leaseRequests()).as("the shards were read and taken on the API server").isPositive();
        assertThat(report.budgetLocalGrants()).as("no budgeted call went on a node's own rate").isEmpty();
        assertThat(report.throttledByApi().keySet()).allMatch(api -> api.startsWith("Describe"));
        assertThat(report.podsWithThrottledAdd()).isZero();
    }

    @Test
    void theSameSeedReplaysTheSameRun() {
        FleetReport first = new FleetSimulation(small(11), FleetSimulation.Variant.OURS).run();
        FleetReport again = new FleetSimulation(small(11), FleetSimulation.Variant.OURS).run();
        assertThat(again.withoutWallTime()).isEqualTo(first.withoutWallTime());
    }
}
