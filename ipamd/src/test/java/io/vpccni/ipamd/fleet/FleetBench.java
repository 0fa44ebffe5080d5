package io.vpccni.ipamd.fleet;

import io.vpccni.eni.fake.FakeEc2Api;
import io.vpccni.ipamd.warmpool.PoolTargets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The fleet benchmark (bench/fleet.sh): each workload for our ipamd and for the aws-vpc-cni model, on the same
 * seed, printed as the Markdown of BENCHMARKS.md's "Fleet" section. Not a test: 500 nodes take minutes.
 *
 * <p>Arguments: nodes pods seed (defaults 500 10000 1).
 */
public final class FleetBench {

    private FleetBench() {}

    public static void main(String[] args) {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int pods = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        PoolTargets defaults = PoolTargets.warmEni(1);
        List<FleetSimulation.Scenario> scenarios = List.of(
                new FleetSimulation.Scenario("scale-out", nodes, pods, 50, Duration.ofSeconds(60), Duration.ZERO,
                        Duration.ZERO, 0, Duration.ZERO, false, "m5.xlarge", defaults, true, seed),
                new FleetSimulation.Scenario("scale-out + churn", nodes, pods, 50, Duration.ofSeconds(60),
                        Duration.ofMinutes(10), Duration.ofMinutes(10), 0, Duration.ZERO, false, "m5.xlarge", defaults,
                        true, seed),
                new FleetSimulation.Scenario("scale-out + CronJob bursts", nodes, pods, 50, Duration.ofSeconds(60),
                        Duration.ofMinutes(10), Duration.ZERO, pods, Duration.ofMinutes(5), false, "m5.xlarge",
                        defaults, true, seed),
                new FleetSimulation.Scenario("scale-out + rolling update", nodes, pods, 50, Duration.ofSeconds(60),
                        Duration.ofMinutes(10), Duration.ZERO, 0, Duration.ZERO, true, "m5.xlarge", defaults, true,
                        seed));
        List<String[]> rows = new ArrayList<>();
        for (FleetSimulation.Scenario scenario : scenarios) {
            FleetReport ours = new FleetSimulation(scenario, FleetSimulation.Variant.OURS).run();
            System.err.println(ours);
            FleetReport base = new FleetSimulation(scenario, FleetSimulation.Variant.BASELINE).run();
            System.err.println(base);
            Stream.concat(ours.syncFailedNodes().stream(), base.syncFailedNodes().stream()).limit(3)
                    .forEach(n -> System.err.println("sync failed on " + n));
            if (!ours.violations().isEmpty() || !base.violations().isEmpty()) {
                throw new AssertionError("invariants broken: " + ours.violations() + " " + base.violations());
            }
            rows.add(row(scenario.name(), "p50 bound to addressed (ms)", ours.p50Millis(), base.p50Millis()));
            rows.add(row(scenario.name(), "p99 bound to addressed (ms)", ours.p99Millis(), base.p99Millis()));
            rows.add(row(scenario.name(), "max bound to addressed (ms)", ours.maxMillis(), base.maxMillis()));
            if (ours.laterPods() > 0) {
                rows.add(row(scenario.name(), "pods bound after the scale-out: p99 (ms)", ours.laterP99Millis(),
                        base.laterP99Millis()));
                rows.add(row(scenario.name(), "pods bound after the scale-out: max (ms)", ours.laterMaxMillis(),
                        base.laterMaxMillis()));
            }
            rows.add(row(scenario.name(), "pods that saw an ADD failure", ours.podsWithAddFailure(),
                    base.podsWithAddFailure()));
            rows.add(row(scenario.name(), "ADD failures", ours.addFailures(), base.addFailures()));
            rows.add(row(scenario.name(), "EC2 calls", ours.ec2Calls(), base.ec2Calls()));
            rows.add(row(scenario.name(), "EC2 calls, busiest minute", ours.maxCallsPerMinute(),
                    base.maxCallsPerMinute()));
            rows.add(row(scenario.name(), "throttled (RequestLimitExceeded)", ours.throttles(), base.throttles()));
            rows.add(row(scenario.name(), "throttled, busiest minute", ours.maxThrottlesPerMinute(),
                    base.maxThrottlesPerMinute()));
            rows.add(row(scenario.name(), "idle address-hours", ours.idleAddressHours(), base.idleAddressHours()));
            rows.add(row(scenario.name(), "periodic ENI syncs that failed", ours.syncFailures(),
                    base.syncFailures()));
            rows.add(row(scenario.name(), "nodes whose ENI sync failed", ours.syncFailedNodes().size(),
                    base.syncFailedNodes().size()));
            rows.add(row(scenario.name(), "least subnet headroom (free addresses)", ours.minSubnetHeadroom(),
                    base.minSubnetHeadroom()));
            rows.add(new String[] {scenario.name(), "pods bound / simulated minutes / wall seconds",
                    ours.pods() + " / " + ours.simulatedMinutes() + " / " + fmt(ours.wallSeconds()),
                    base.pods() + " / " + base.simulatedMinutes() + " / " + fmt(base.wallSeconds()), ""});
            rows.add(new String[] {scenario.name(), "EC2 calls by API", ours.callsByApi().toString(),
                    base.callsByApi().toString(), ""});
            rows.add(new String[] {scenario.name(), "throttled by API", ours.throttledByApi().toString(),
                    base.throttledByApi().toString(), ""});
            rows.add(new String[] {scenario.name(), "pool actions EC2 refused (after the guard's retries)",
                    ours.failedPoolActions().toString(), base.failedPoolActions().toString(), ""});
        }
        Duration floor = FakeEc2Api.REALISTIC_LATENCY.get("CreateNetworkInterface")
                .plus(FakeEc2Api.REALISTIC_LATENCY.get("AttachNetworkInterface"))
                .plus(FakeEc2Api.REALISTIC_ATTACHMENT_LATENCY);
        System.out.printf(Locale.ROOT, "%d nodes (m5.xlarge: 4 ENIs x 15 addresses), %d pods, seed %d; nodes join in "
                + "waves of 50 a minute, each node's share of the pods bound when its ipamd is ready; WARM_ENI_TARGET=1 "
                + "for both. Single-node floor set by attach latency (create + attach + attachment complete): %d ms.%n%n",
                nodes, pods, seed, floor.toMillis());
        System.out.println("| workload | measure | ours | aws-vpc-cni model | ours / model |");
        System.out.println("|---|---|---|---|---|");
        rows.forEach(r -> System.out.println("| " + String.join(" | ", r) + " |"));
    }

    private static String[] row(String scenario, String measure, double ours, double base) {
        String ratio = base == 0 ? (ours == 0 ? "1" : "-") : fmt(ours / base);
        return new String[] {scenario, measure, fmt(ours), fmt(base), ratio};
    }

    private static String fmt(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.format(Locale.ROOT, "%.2f", value);
    }
}
