package io.vpccni.ipamd.fleet;

import java.util.List;
import java.util.Map;

/**
 * What one fleet run measured. Latencies are from a pod's binding to its node until ipamd gave it an address, in
 * virtual milliseconds, over every pod and ({@code later...}) over the pods bound after the scale-out (churn and
 * bursts); {@code ec2Calls} is the in-memory EC2's own count and {@code guardRequests} the sum of what
 * the nodes' guards sent (they must agree); {@code failedPoolActions} counts the pool's
 * actions EC2 refused (after the guard's retries) by action, operation and error code; {@code syncFailures} counts periodic ENI syncs that threw (the
 * daemon logs them and tries again a minute later), {@code syncFailedNodes} names the nodes and the last error; idle address-hours integrate, every 10 s, the addresses nodes held
 * without a pod (cooling ones included); {@code p99BoundMillis} is the least p99 EC2's CreateNetworkInterface bucket
 * allows given the addresses the nodes held when each pod was bound ({@link P99Bound}), {@code p99FirstComeMillis}
 * what the same bucket gives when its tokens go first come, first served, {@code warmForGoal} the
 * addresses every node would have had to hold on top for that bound to be within twice the floor; subnet headroom is the least free count any subnet had.
 * {@code addFailuresOnRefusedGrow} are the ADDs that failed before their wait ran out, because the tick that answered
 * them failed to grow the pool and no address was cooling back (IpamHandler's early answer).
 * {@code podsWithThrottledAdd} and {@code addFailuresOnThrottle} count the ADD failures that came while the node's
 * pool had last failed to grow on a throttle (RequestLimitExceeded, or the guard's circuit opened by them): throttles
 * that reached pods. {@code restartRequests} are the EC2 requests of restarted ipamds until ready (a DaemonSet roll's
 * cost) and {@code rollSeconds} the roll's length, 0 without one. With the budget on Leases, {@code leaseRequests}
 * counts the Lease reads and writes the nodes sent the API server and {@code budgetLocalGrants} the budgeted calls that went
 * on a node's own rate instead, by reason (no shard free in time, store unreachable).
 */
public record FleetReport(String scenario, FleetSimulation.Variant variant, long seed, int nodes, long readyNodes,
                          int pods, int addressed, long unaddressed, long p50Millis, long p99Millis, long maxMillis,
                          long p99BoundMillis, long p99FirstComeMillis, java.util.OptionalInt warmForGoal,
                          int laterPods, long laterP99Millis, long laterMaxMillis,
                          long podsWithAddFailure, long addFailures, long addFailuresOnRefusedGrow,
                          long podsWithThrottledAdd,
                          long addFailuresOnThrottle, long ec2Calls, long guardRequests,
                          long throttles, long maxCallsPerMinute, long maxThrottlesPerMinute, double idleAddressHours,
                          int minSubnetHeadroom, Map<String, Long> callsByApi, Map<String, Long> throttledByApi,
                          Map<String, Long> failedPoolActions, long syncFailures, List<String> syncFailedNodes,
                          List<String> violations, long restartRequests, long rollSeconds, long leaseRequests,
                          Map<String, Long> budgetLocalGrants, long simulatedMinutes, double wallSeconds) {

    /** The figures without the wall-clock time: equal for two runs of the same scenario, variant and seed. */
    public FleetReport withoutWallTime() {
        return new FleetReport(scenario, variant, seed, nodes, readyNodes, pods, addressed, unaddressed, p50Millis,
                p99Millis, maxMillis, p99BoundMillis, p99FirstComeMillis, warmForGoal, laterPods, laterP99Millis, laterMaxMillis, podsWithAddFailure, addFailures, addFailuresOnRefusedGrow,
                podsWithThrottledAdd, addFailuresOnThrottle, ec2Calls, guardRequests, throttles,
                maxCallsPerMinute, maxThrottlesPerMinute, idleAddressHours, minSubnetHeadroom, callsByApi, throttledByApi,
                failedPoolActions, syncFailures, syncFailedNodes, violations, restartRequests, rollSeconds,
                leaseRequests, budgetLocalGrants, simulatedMinutes, 0);
    }
}
