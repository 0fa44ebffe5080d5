package io.vpccni.ipamd.fleet;

import io.vpccni.ipamd.warmpool.PoolTargets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The fleet benchmark (bench/fleet.sh): each workload for our ipamd and for the aws-vpc-cni model, on the same
 * seed, printed as the Markdown of BENCHMARKS.md's "Fleet" section. Not a test: 500 nodes take minutes.
 *
 * <p>Arguments: nodes pods seed [variants] (defaults 500 10000 1 and OURS,BUDGET,BOUND_PODS_WENI0,
 * BUDGET_BOUND_PODS_WENI0,BASELINE; the model last). The two ratio columns divide the first variant and the one
 * before the model by the model.
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
                        Duration.ZERO, 0, Duration.ZERO, false, false, "m5.xlarge", defaults, true, seed),
                new FleetSimulation.Scenario("scale-out + churn", nodes, pods, 50, Duration.ofSeconds(60),
                        Duration.ofMinutes(10), Duration.ofMinutes(10), 0, Duration.ZERO, false, false, "m5.xlarge",
                        defaults, true, seed),
                new FleetSimulation.Scenario("scale-out + CronJob bursts", nodes, pods, 50, Duration.ofSeconds(60),
                        Duration.ofMinutes(10), Duration.ZERO, pods, Duration.ofMinutes(5), false, false, "m5.xlarge",
                        defaults, true, seed),
                new FleetSimulation.Scenario("scale-out + rolling update", nodes, pods, 50, Duration.ofSeconds(60),
                        Duration.ofMinutes(10), Duration.ZERO, 0, Duration.ZERO, true, false, "m5.xlarge", defaults,
                        true, seed),
                new FleetSimulation.Scenario("scale-out + churn + ipamd roll", nodes, pods, 50,
                        Duration.ofSeconds(60), Duration.ofMinutes(10), Duration.ofMinutes(10), 0, Duration.ZERO, false,
                        true, "m5.xlarge", defaults, true, seed));
        // The model last: the ratio columns divide by it.
        List<FleetSimulation.Variant> variants = args.length > 3
                ? Arrays.stream(args[3].split(",")).map(FleetSimulation.Variant::valueOf).toList()
                : List.of(FleetSimulation.Variant.OURS, FleetSimulation.Variant.BUDGET,
                        FleetSimulation.Variant.BOUND_PODS_WENI0, FleetSimulation.Variant.BUDGET_BOUND_PODS_WENI0,
                        FleetSimulation.Variant.BASELINE);
        List<String[]> rows = new ArrayList<>();
        for (FleetSimulation.Scenario scenario : scenarios) {
            List<FleetReport> reports = new ArrayList<>();
            for (FleetSimulation.Variant variant : variants) {
                FleetReport report = new FleetSimulation(scenario, variant).run();
                System.err.println(report);
                report.syncFailedNodes().stream().limit(3).forEach(n -> System.err.println("sync failed on " + n));
                if (!report.violations().isEmpty()) {
                    throw new AssertionError("invariants broken: " + variant + " " + report.violations());
                }
                reports.add(report);
            }
            for (Measure measure : MEASURES) {
                if (measure.onlyWhen().test(reports.getFirst())) {
                    rows.add(row(scenario.name(), measure, reports));
                }
            }
        }
        Duration floor = FleetSimulation.BOUND_EC2.floor();
        System.out.printf(Locale.ROOT, "%d nodes (m5.xlarge: 4 ENIs x 15 addresses), %d pods, seed %d; nodes join in "
                + "waves of 50 a minute, each node's share of the pods bound when its ipamd is ready; WARM_ENI_TARGET=1 "
                + "unless a column says otherwise. Single-node floor set by attach latency (create + attach + attachment complete): %d ms.%n%n",
                nodes, pods, seed, floor.toMillis());
        System.out.println("| workload | measure | " + String.join(" | ", variants.stream().map(v -> v.label).toList())
                + " | " + variants.getFirst().label + " / model | " + variants.get(variants.size() - 2).label
                + " / model |");
        System.out.println("|---|---|" + "---|".repeat(variants.size() + 2));
        rows.forEach(r -> System.out.println("| " + String.join(" | ", r) + " |"));
    }

    /** One line of the table: a figure of every variant's report. */
    private record Measure(String name, Function<FleetReport, Object> figure, Predicate<FleetReport> onlyWhen) {
        Measure(String name, Function<FleetReport, Object> figure) {
            this(name, figure, r -> true);
        }
    }

    private static final List<Measure> MEASURES = List.of(
            new Measure("p50 bound to addressed (ms)", FleetReport::p50Millis),
            new Measure("p99 bound to addressed (ms)", FleetReport::p99Millis),
            new Measure("max bound to addressed (ms)", FleetReport::maxMillis),
            new Measure("p99 lower bound: EC2's create bucket, given the addresses held at binding (ms)",
                    FleetReport::p99BoundMillis),
            new Measure("p99 the same bucket gives first come, first served (ms)", FleetReport::p99FirstComeMillis),
            new Measure("addresses more a node would hold for that bound to be within twice the floor",
                    r -> r.warmForGoal().isPresent() ? (Object) r.warmForGoal().getAsInt() : "more than 60"),
            new Measure("pods bound after the scale-out: p99 (ms)", FleetReport::laterP99Millis, r -> r.laterPods() > 0),
            new Measure("pods bound after the scale-out: max (ms)", FleetReport::laterMaxMillis, r -> r.laterPods() > 0),
            new Measure("idle address-hours", FleetReport::idleAddressHours),
            new Measure("pods that saw an ADD failure", FleetReport::podsWithAddFailure),
            new Measure("ADD failures", FleetReport::addFailures),
            new Measure("of which at once, the grow for them refused (IpamHandler's early answer)",
                    FleetReport::addFailuresOnRefusedGrow),
            new Measure("pods whose ADD failed on a throttle", FleetReport::podsWithThrottledAdd),
            new Measure("EC2 calls", FleetReport::ec2Calls),
            new Measure("EC2 calls, busiest minute", FleetReport::maxCallsPerMinute),
            new Measure("throttled (RequestLimitExceeded)", FleetReport::throttles),
            new Measure("throttled, busiest minute", FleetReport::maxThrottlesPerMinute),
            new Measure("ipamd roll: length (s)", FleetReport::rollSeconds, r -> r.rollSeconds() > 0),
            new Measure("ipamd roll: EC2 requests of the restarted ipamds until ready", FleetReport::restartRequests,
                    r -> r.rollSeconds() > 0),
            new Measure("Lease requests to the API server (budget)", FleetReport::leaseRequests),
            new Measure("budgeted calls sent on the node's own rate", FleetReport::budgetLocalGrants),
            new Measure("periodic ENI syncs that failed", FleetReport::syncFailures),
            new Measure("nodes whose ENI sync failed", r -> r.syncFailedNodes().size()),
            new Measure("least subnet headroom (free addresses)", FleetReport::minSubnetHeadroom),
            new Measure("pods bound / simulated minutes / wall seconds",
                    r -> r.pods() + " / " + r.simulatedMinutes() + " / " + fmt(r.wallSeconds())),
            new Measure("EC2 calls by API", FleetReport::callsByApi),
            new Measure("throttled by API", FleetReport::throttledByApi),
            new Measure("pool actions EC2 refused (after the guard's retries)", FleetReport::failedPoolActions));

    /** The figures in the variants' order, then ours and bound pods with WENI=0 each over the model (the last). */
    private static String[] row(String scenario, Measure measure, List<FleetReport> reports) {
        List<String> cells = new ArrayList<>(List.of(scenario, measure.name()));
        List<Object> figures = reports.stream().map(measure.figure()).toList();
        figures.forEach(f -> cells.add(f instanceof Number n ? fmt(n.doubleValue()) : String.valueOf(f)));
        cells.add(ratio(figures.getFirst(), figures.getLast()));
        cells.add(ratio(figures.get(figures.size() - 2), figures.getLast()));
        return cells.toArray(String[]::new);
    }

    private static String ratio(Object ours, Object base) {
        if (!(ours instanceof Number o) || !(base instanceof Number b)) {
            return "";
        }
        return b.doubleValue() == 0 ? (o.doubleValue() == 0 ? "1" : "-") : fmt(o.doubleValue() / b.doubleValue());
    }

    private static String fmt(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.format(Locale.ROOT, "%.2f", value);
    }
}
