package io.vpccni.ipamd.fleet;

import io.github.resilience4j.retry.internal.RetryImpl;
import io.vpccni.eni.fake.FakeEc2Api;
import io.vpccni.eni.fake.FakeShardStore;
import io.vpccni.eni.guard.CallBudget;
import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.eni.guard.ShardedBudget;
import io.vpccni.eni.port.Ec2Api;
import io.vpccni.ipamd.config.ConfigKeys;
import io.vpccni.ipamd.config.ConfigParser;
import io.vpccni.ipamd.datastore.AllocationKey;
import io.vpccni.ipamd.datastore.AssignResult;
import io.vpccni.ipamd.datastore.PodRef;
import io.vpccni.ipamd.datastore.ReleaseResult;
import io.vpccni.ipamd.pool.GrowBlocked;
import io.vpccni.ipamd.pool.PoolMaintainer;
import io.vpccni.ipamd.rpc.IpamHandler;
import io.vpccni.ipamd.warmpool.PoolTargets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One run of a fleet: nodes join one account's in-memory EC2 in waves (Karpenter-style scale-out), every node's
 * share of the pods is bound to it as soon as its ipamd is ready, then pods churn for a while; everything in
 * virtual time, from one seed. What kubelet and the plugin do is modelled (below); ipamd's control plane is the
 * real one ({@link FleetNode}).
 *
 * <p>Kubelet and the plugin, as modelled: an ADD reaches ipamd {@link #ADD_DELAY} after the pod is bound (sandbox
 * creation); it takes a free address from the datastore as {@code IpamHandler} does. Ours, when the pool is empty,
 * waits as IpamHandler does, up to VPC_CNI_ADD_WAIT (its default, 20 s): it wakes the maintainer and looks after
 * each tick; it fails at once when the tick that answered its wake failed to grow the pool for a reason that ends
 * an add's wait ({@link GrowBlocked#endsWaitingAdds}) and no address is cooling back, wakes the maintainer again only after a tick that grew the pool, and looks every
 * {@link IpamHandler#COOLING_LOOK} while an address cools. The baseline (aws-vpc-cni) fails the ADD at once. A failed
 * ADD is retried by kubelet after {@link #KUBELET_BACKOFF}.
 * A DEL releases the address at once.
 */
public final class FleetSimulation {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration ADD_DELAY = Duration.ofSeconds(1);
    static final Duration KUBELET_BACKOFF = Duration.ofSeconds(10);
    static final Duration SAMPLE = Duration.ofSeconds(10);
    /**
     * From RunInstances until ipamd starts on the node (boot, kubelet, the DaemonSet's pod), drawn uniformly from
     * 20 to 40 s per node: nodes of one wave do not start in the same instant, and neither do their periodic calls.
     */
    static final Duration BOOT_MIN = Duration.ofSeconds(20);
    static final Duration BOOT_SPREAD = Duration.ofSeconds(20);
    /** After the churn: time for the last pods bound to get their addresses before the run is judged. */
    static final Duration SETTLE = Duration.ofMinutes(1);
    /** How long a CronJob-style burst's pod runs. */
    static final Duration BURST_POD_LIFETIME = Duration.ofMinutes(2);
    /** From a rolling update's new pod's address until it is ready and its old pod is deleted. */
    static final Duration READY_AFTER = Duration.ofSeconds(5);
    /** From the old ipamd's end until the new one runs (the DaemonSet's new pod: image present, container start). */
    static final Duration IPAMD_POD_START = Duration.ofSeconds(5);
    /** How long the shim holds an ADD or DEL while no ipamd serves (VPC_CNI_SHIM_WAIT_SECONDS's default). */
    static final Duration SHIM_WAIT = Duration.ofSeconds(60);
    /** From a pod's binding until the node's informer has it (a watch event). */
    static final Duration WATCH_DELAY = Duration.ofMillis(200);
    /** The scheduler binds no pod to a node with this many (m5.xlarge: 56 addresses, kubelet's max-pods 58). */
    static final int MAX_PODS_PER_NODE = 50;
    /** A request to the API server and its answer (a Lease read or write), in the cluster's network. */
    static final Duration API_SERVER_LATENCY = Duration.ofMillis(20);
    /** The simulated nodes log as the daemon does; thousands of ENIs' worth of INFO lines only slow a run down. */
    private static final Logger QUIET = Logger.getLogger("io.vpccni");

    /** Whose behaviour the nodes have. */
    public enum Variant {
        /** This project's ipamd: ENIs created with their addresses, an ADD that finds the pool empty waits for a tick. */
        OURS("ours", addWaitByDefault(), false, false, Optional.empty(), false),
        /** Ours with each node's guard adapting its rate to EC2's throttles (AdaptiveRate). */
        ADAPTIVE("ours, adaptive guard", addWaitByDefault(), false, false, Optional.empty(), false),
        /** Ours with the account's budget on Leases (VPC_CNI_EC2_BUDGET_LEASES): ShardedBudget over the API server. */
        BUDGET("ours, EC2 budget on Leases", addWaitByDefault(), false, false, Optional.empty(), true),
        /** Ours with WARM_POOL_FOR_BOUND_PODS, the scenario's warm targets. */
        BOUND_PODS("ours, bound pods", addWaitByDefault(), false, true, Optional.empty(), false),
        /** Ours with WARM_POOL_FOR_BOUND_PODS and the warm target it lets be lowered: WARM_ENI_TARGET=0. */
        BOUND_PODS_WENI0("ours, bound pods, WENI=0", addWaitByDefault(), false, true,
                Optional.of(PoolTargets.warmEni(0)), false),
        /** The same with the account's budget on Leases. */
        BUDGET_BOUND_PODS_WENI0("ours, bound pods, WENI=0, EC2 budget", addWaitByDefault(), false, true,
                Optional.of(PoolTargets.warmEni(0)), true),
        /** aws-vpc-cni's, approximated: create then assign, DescribeInstances per ENI, an ADD fails at once when empty. */
        BASELINE("aws-vpc-cni model", Duration.ZERO, true, false, Optional.empty(), false);

        /** VPC_CNI_ADD_WAIT as ipamd has it by default, for every variant of ours. */
        private static Duration addWaitByDefault() {
            return ConfigParser.duration().apply(ConfigKeys.VPC_CNI_ADD_WAIT.defaultValue());
        }

        final String label;
        final Duration addWait;
        final boolean upstreamCalls;
        final boolean forBoundPods;
        final Optional<PoolTargets> targets;
        final boolean budget;

        Variant(String label, Duration addWait, boolean upstreamCalls, boolean forBoundPods,
                Optional<PoolTargets> targets, boolean budget) {
            this.label = label;
            this.addWait = addWait;
            this.upstreamCalls = upstreamCalls;
            this.forBoundPods = forBoundPods;
            this.targets = targets;
            this.budget = budget;
        }
    }

    /**
     * @param waveSize       nodes that join together
     * @param waveInterval   between two waves
     * @param churnFor       the phase after the last wave (and 2 minutes of quiet)
     * @param podLifetime    in that phase, pods replaced at random, each living this long on average; zero for none
     * @param burstPods      in that phase, CronJob-style: every {@code burstEvery} this many pods bound at once to
     *                       nodes picked at random, each gone {@link #BURST_POD_LIFETIME} later; zero for none
     * @param rollingUpdate  in that phase, every pod of the scale-out replaced as a Deployment's rolling update does
     *                       (max surge 25 %, none unavailable): a quarter of them at a time, each new pod on a random
     *                       node with room, its old pod deleted once it has run {@link #READY_AFTER}
     * @param ipamdRoll      in that phase, ipamd's DaemonSet rolled across the fleet (maxUnavailable 10 %, as
     *                       aws-node's): a tenth of the nodes at a time, each ipamd stopped, its successor started
     *                       {@link #IPAMD_POD_START} after the old one ended, from EC2 and the checkpoint; the next
     *                       tenth once all of these are ready
     * @param realisticTiming the emulator's latencies, 3 s attachments and EC2's token buckets
     */
    public record Scenario(String name, int nodes, int pods, int waveSize, Duration waveInterval, Duration churnFor,
                           Duration podLifetime, int burstPods, Duration burstEvery, boolean rollingUpdate,
                           boolean ipamdRoll, String instanceType, PoolTargets targets, boolean realisticTiming, long seed) {
        public Scenario {
            if (burstPods > 0 && !burstEvery.isPositive()) {
                throw new IllegalArgumentException("bursts of " + burstPods + " pods need a positive interval, not "
                        + burstEvery);
            }
            if (nodes < 1 || pods < 0 || waveSize < 1) {
                throw new IllegalArgumentException("a fleet needs nodes >= 1, pods >= 0, waves of >= 1 node, not "
                        + nodes + "/" + pods + "/" + waveSize);
            }
        }

        Duration length() {
            return churnEnd().plus(SETTLE);
        }

        Duration churnStart() {
            long waves = (nodes + waveSize - 1) / waveSize;
            return waveInterval.multipliedBy(waves).plus(Duration.ofMinutes(2));
        }

        Duration churnEnd() {
            return churnStart().plus(churnFor);
        }
    }

    private final Scenario scenario;
    private final Variant variant;
    private final VirtualTime time;
    private final FakeEc2Api ec2;
    /** The cluster's Leases, on the simulated API server (the budget variants'). */
    private final FakeShardStore leases;
    private final List<ShardedBudget> budgets = new ArrayList<>();
    private final Random random;
    private final List<String> subnets = new ArrayList<>();
    private final List<FleetNode> nodes = new ArrayList<>();
    private final Map<FleetNode, List<Pod>> waiting = new HashMap<>();
    private final List<Pod> pods = new ArrayList<>();
    private final List<Pod> live = new ArrayList<>();
    private final Map<FleetNode, Integer> livePerNode = new HashMap<>();
    private final Map<String, Pod> addressHolders = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private long addFailures;
    private long addFailuresOnThrottle;
    private long addFailuresOnRefusedGrow;
    private final Map<FleetNode, Integer> notAdded = new HashMap<>();
    /** Every pod as bound, with what its node had for it then: the input of {@link P99Bound}. */
    private final List<P99Bound.Arrival> arrivals = new ArrayList<>();
    /** ADDs and DELs the shim holds while the node's ipamd is down. */
    private final Map<FleetNode, List<Runnable>> held = new HashMap<>();
    private Instant rollStarted;
    private Instant rollEnded;
    private double idleAddressSeconds;
    private int minSubnetHeadroom = Integer.MAX_VALUE;
    private final List<long[]> perMinute = new ArrayList<>();
    private long lastCalls;
    private long lastThrottles;

    private static final class Pod {
        final int id;
        final FleetNode node;
        Instant bound;
        Instant addressed;
        /** The tick that answers the ADD's last wake of the maintainer (PoolMaintainer.wake). */
        long answeringTick;
        String ip;
        boolean failedAdd;
        boolean failedOnThrottle;
        boolean deleted;
        /** Run once the pod has an address (a rolling update's next step). */
        Runnable onAddressed;

        Pod(int id, FleetNode node) {
            this.id = id;
            this.node = node;
        }

        AllocationKey key() {
            return new AllocationKey("aws-cni", "c" + id, "eth0");
        }
    }

    public FleetSimulation(Scenario scenario, Variant variant) {
        this.scenario = scenario;
        this.variant = variant;
        this.random = new Random(scenario.seed());
        this.time = new VirtualTime(T0, scenario.seed());
        this.ec2 = new FakeEc2Api("10.0.0.0/16", time.clock(), time, scenario.seed());
        if (scenario.realisticTiming()) {
            ec2.realisticTiming();
        }
        this.leases = new FakeShardStore(time, API_SERVER_LATENCY);
        // Four /18s: room for 500 nodes with a few ENIs of addresses each (the fleet's subnet headroom is measured).
        for (int i = 0; i < 4; i++) {
            subnets.add(ec2.createSubnet("10.0." + (i * 64) + ".0/18"));
        }
    }

    /** Runs the scenario to its end and reports; the processes are ended after. */
    public FleetReport run() {
        // Resilience4j's retry waits through one process-wide function; in a process it waits in virtual time.
        RetryImpl.setSleepFunction(millis -> {
            if (VirtualTime.inProcess()) {
                VirtualTime.sleepInProcess(Duration.ofMillis(millis));
            } else {
                Thread.sleep(millis);
            }
        });
        QUIET.setLevel(Level.WARNING);
        long started = System.nanoTime();
        try {
            scheduleWaves();
            sample(0);
            time.runUntil(T0.plus(scenario.length()));
            // The fleet's figures before the check below, whose describes are the harness's, not the nodes'.
            Map<String, Long> callsByApi = new TreeMap<>();
            Map<String, Long> throttledByApi = new TreeMap<>();
            for (String op : FakeEc2Api.OPERATIONS) {
                if (ec2.calls(op) > 0) {
                    callsByApi.put(op, ec2.calls(op));
                }
                if (ec2.throttled(op) > 0) {
                    throttledByApi.put(op, ec2.throttled(op));
                }
            }
            checkFleet();
            return report(callsByApi, throttledByApi, (System.nanoTime() - started) / 1e9);
        } finally {
            time.shutdown();
        }
    }

    private void scheduleWaves() {
        int next = 0;
        for (int wave = 0; next < scenario.nodes(); wave++) {
            int first = next;
            int last = Math.min(scenario.nodes(), first + scenario.waveSize());
            time.at(scenario.waveInterval().multipliedBy(wave), () -> {
                for (int i = first; i < last; i++) {
                    join(i);
                }
            });
            next = last;
        }
        if (!scenario.churnFor().isZero() && scenario.pods() > 0 && scenario.podLifetime().isPositive()) {
            time.at(scenario.churnStart(), this::churn);
        }
        if (!scenario.churnFor().isZero() && scenario.burstPods() > 0) {
            time.at(scenario.churnStart(), this::burst);
        }
        if (!scenario.churnFor().isZero() && scenario.ipamdRoll()) {
            time.at(scenario.churnStart(), () -> rollIpamd(0));
        }
        if (!scenario.churnFor().isZero() && scenario.rollingUpdate()) {
            time.at(scenario.churnStart(), () -> rollingUpdate(List.copyOf(live), 0));
        }
    }

    private void join(int index) {
        FleetNode node = new FleetNode("node-" + index, ec2, subnets.get(index % subnets.size()),
                scenario.instanceType(), time, variant.targets.orElse(scenario.targets()), variant.upstreamCalls,
                variant == Variant.ADAPTIVE ? Ec2Guard.Settings.defaults().withAdaptiveRate()
                        : Ec2Guard.Settings.defaults(), this::budget, variant.forBoundPods, new FleetNode.Listener() {
                    @Override
                    public void ready(FleetNode ready) {
                        if (ready.starts > 1) {
                            List<Runnable> waiting = held.remove(ready);
                            if (waiting != null) {
                                waiting.forEach(Runnable::run);
                            }
                            return;
                        }
                        int share = scenario.pods() / scenario.nodes()
                                + (index < scenario.pods() % scenario.nodes() ? 1 : 0);
                        for (int i = 0; i < share; i++) {
                            bind(ready);
                        }
                    }

                    @Override
                    public int boundNotAdded(FleetNode node) {
                        return notAdded.getOrDefault(node, 0);
                    }

                    @Override
                    public void ticked(FleetNode ticked) {
                        retryWaiting(ticked);
                    }
                });
        nodes.add(node);
        time.at(BOOT_MIN.plusMillis(random.nextLong(BOOT_SPREAD.toMillis() + 1)), node::start);
    }

    /** A starting ipamd's share of the account's budget: on the cluster's Leases in the budget variants. */
    private CallBudget budget(String node) {
        if (!variant.budget) {
            return CallBudget.LOCAL;
        }
        ShardedBudget budget = new ShardedBudget(leases, node, ShardedBudget.Settings.ec2Defaults(), time);
        budgets.add(budget);
        return budget;
    }

    private Pod bind(FleetNode node) {
        Pod pod = new Pod(pods.size(), node);
        pods.add(pod);
        live.add(pod);
        livePerNode.merge(node, 1, Integer::sum);
        pod.bound = time.instant();
        arrivals.add(arrival(node, pod.bound));
        notAdded.merge(node, 1, Integer::sum);
        if (variant.forBoundPods) {
            time.at(WATCH_DELAY, () -> {
                if (node.ready()) {
                    node.process.wake(); // the informer's event wakes the maintainer
                }
            });
        }
        time.at(ADD_DELAY, () -> add(pod));
        return pod;
    }

    /** What the node has for one more pod, after those bound before it and not yet addressed. */
    private P99Bound.Arrival arrival(FleetNode node, Instant bound) {
        if (node.datastore == null) { // a restarting ipamd: the bound grants it an address
            return new P99Bound.Arrival(bound, node.name, P99Bound.Need.FREE);
        }
        var stats = node.datastore.stats();
        int wanted = notAdded.getOrDefault(node, 0) + 1;
        int slots = stats.enis().stream().mapToInt(e -> Math.max(0, SECONDARIES_PER_ENI - e.cidrs().size())).sum();
        return wanted <= stats.available() ? new P99Bound.Arrival(bound, node.name, P99Bound.Need.FREE)
                : wanted <= stats.available() + slots ? new P99Bound.Arrival(bound, node.name, P99Bound.Need.SLOT)
                : new P99Bound.Arrival(bound, node.name, P99Bound.Need.ENI, wanted - stats.available() - slots);
    }

    /** EC2's bucket for CreateNetworkInterface and the attach floor, as the fake has them; m5.xlarge's ENIs. */
    static final P99Bound.Ec2 BOUND_EC2 = new P99Bound.Ec2(50, 5,
            FakeEc2Api.REALISTIC_LATENCY.get("CreateNetworkInterface")
                    .plus(FakeEc2Api.REALISTIC_LATENCY.get("AttachNetworkInterface"))
                    .plus(FakeEc2Api.REALISTIC_ATTACHMENT_LATENCY), ADD_DELAY, 14);
    private static final int SECONDARIES_PER_ENI = 14;

    private void add(Pod pod) {
        if (pod.deleted || pod.addressed != null) {
            return;
        }
        if (!pod.node.ready()) {
            holdForNextIpamd(pod, () -> add(pod), () -> failAdd(pod));
            return;
        }
        if (tryAssign(pod)) {
            return;
        }
        if (variant.addWait.isZero()) {
            failAdd(pod);
            return;
        }
        List<Pod> queue = waiting.computeIfAbsent(pod.node, n -> new ArrayList<>());
        queue.add(pod);
        pod.answeringTick = pod.node.maintainer.wake();
        pod.node.process.wake();
        lookWhileCooling(pod, queue);
        time.at(variant.addWait, () -> {
            if (!pod.deleted && pod.addressed == null && queue.remove(pod)) {
                failAdd(pod);
            }
        });
    }

    /**
     * A waiting ADD after a tick, as IpamHandler's: an address if there is one; else, when the tick that answered
     * its wake failed to grow the pool and no address is cooling back, it fails at once; else, when that tick grew the
     * pool and others took the addresses, it wakes the maintainer again. True when the pod is done waiting.
     */
    private boolean look(Pod pod) {
        if (tryAssign(pod)) {
            return true;
        }
        PoolMaintainer maintainer = pod.node.maintainer;
        boolean coolingBack = pod.node.datastore.stats().cooling() > 0;
        if (maintainer.growFailureSince(pod.answeringTick).filter(GrowBlocked::endsWaitingAdds).isPresent()
                && !coolingBack) {
            addFailuresOnRefusedGrow++;
            failAdd(pod);
            return true;
        }
        if (maintainer.tickCount() >= pod.answeringTick && maintainer.grewSince(pod.answeringTick)) {
            pod.answeringTick = maintainer.wake();
            pod.node.process.wake();
        }
        return false;
    }

    /** While an address is cooling on its node, a waiting ADD looks again every IpamHandler.COOLING_LOOK. */
    private void lookWhileCooling(Pod pod, List<Pod> queue) {
        if (pod.node.datastore.stats().cooling() == 0) {
            return;
        }
        time.at(IpamHandler.COOLING_LOOK, () -> {
            if (!pod.deleted && pod.addressed == null && queue.contains(pod) && pod.node.ready()) {
                if (tryAssign(pod)) {
                    queue.remove(pod);
                } else {
                    lookWhileCooling(pod, queue);
                }
            }
        });
    }

    /** The shim holds a CNI call while no ipamd serves, for {@link #SHIM_WAIT}; then it fails. */
    private void holdForNextIpamd(Pod pod, Runnable call, Runnable timedOut) {
        boolean[] done = {false};
        held.computeIfAbsent(pod.node, n -> new ArrayList<>()).add(() -> {
            if (!done[0]) {
                done[0] = true;
                call.run();
            }
        });
        time.at(SHIM_WAIT, () -> {
            if (!done[0]) {
                done[0] = true;
                timedOut.run();
            }
        });
    }

    private void failAdd(Pod pod) {
        pod.failedAdd = true;
        addFailures++;
        boolean throttled = pod.node.maintainer != null && pod.node.maintainer.lastGrowFailure()
                .filter(blocked -> blocked.kind() == GrowBlocked.Kind.THROTTLED).isPresent(); // EC2 refused, not the budget
        if (throttled) {
            pod.failedOnThrottle = true;
            addFailuresOnThrottle++;
        }
        time.at(KUBELET_BACKOFF, () -> add(pod));
    }

    private void retryWaiting(FleetNode node) {
        List<Pod> queue = waiting.get(node);
        if (queue == null) {
            return;
        }
        for (Pod pod : List.copyOf(queue)) {
            if (look(pod)) {
                queue.remove(pod);
            }
        }
    }

    private boolean tryAssign(Pod pod) {
        AssignResult result = pod.node.datastore.assign(pod.key(), new PodRef("default", "pod-" + pod.id, "uid-" + pod.id));
        if (!(result instanceof AssignResult.Assigned assigned)) {
            return false;
        }
        pod.ip = assigned.ip().toString();
        pod.addressed = time.instant();
        notAdded.merge(pod.node, -1, Integer::sum);
        if (pod.onAddressed != null) {
            time.at(Duration.ZERO, pod.onAddressed);
        }
        Pod holder = addressHolders.putIfAbsent(pod.ip, pod);
        if (holder != null) {
            violations.add(pod.ip + " given to pod " + pod.id + " on " + pod.node.name + " while pod " + holder.id
                    + " on " + holder.node.name + " holds it");
        }
        return true;
    }

    private void delete(Pod pod) {
        if (pod.deleted) {
            return; // a burst's pod the churn already replaced
        }
        pod.deleted = true;
        live.remove(pod);
        livePerNode.merge(pod.node, -1, Integer::sum);
        List<Pod> queue = waiting.get(pod.node);
        if (queue != null) {
            queue.remove(pod);
        }
        if (pod.addressed == null) {
            notAdded.merge(pod.node, -1, Integer::sum);
            return;
        }
        addressHolders.remove(pod.ip);
        if (pod.node.ready()) {
            releaseAddress(pod);
        } else {
            holdForNextIpamd(pod, () -> releaseAddress(pod), () -> violations.add("pod " + pod.id + "'s DEL on "
                    + pod.node.name + " found no ipamd for " + SHIM_WAIT.toSeconds() + " s"));
        }
    }

    private void releaseAddress(Pod pod) {
        if (!(pod.node.datastore.release(pod.key()) instanceof ReleaseResult.Released)) {
            violations.add("pod " + pod.id + "'s address " + pod.ip + " was not released on " + pod.node.name);
        }
    }

    /** ipamd's DaemonSet rolled: a tenth of the nodes at a time, the next tenth once these are ready again. */
    private void rollIpamd(int from) {
        if (from == 0) {
            rollStarted = time.instant();
        }
        if (from >= nodes.size()) {
            rollEnded = time.instant();
            return;
        }
        int batch = Math.max(1, nodes.size() / 10);
        List<FleetNode> rolling = nodes.subList(from, Math.min(nodes.size(), from + batch));
        int[] pending = {rolling.size()};
        for (FleetNode node : rolling) {
            if (!node.ready()) {
                pending[0]--; // still starting from the scale-out: its pod is new already
                continue;
            }
            node.stop(() -> time.at(IPAMD_POD_START, () -> {
                node.start();
                awaitReady(node, () -> {
                    if (--pending[0] == 0) {
                        rollIpamd(from + batch);
                    }
                });
            }));
        }
        if (pending[0] == 0) {
            time.at(Duration.ZERO, () -> rollIpamd(from + batch));
        }
    }

    /** Runs {@code then} once the node's ipamd is ready (looked at every second, as the DaemonSet's readiness probe). */
    private void awaitReady(FleetNode node, Runnable then) {
        time.at(Duration.ofSeconds(1), () -> {
            if (node.ready()) {
                then.run();
            } else {
                awaitReady(node, then);
            }
        });
    }

    /** One replacement per step: a random live pod deleted and a new one bound to the same node. */
    private void churn() {
        double perSecond = scenario.pods() / (double) scenario.podLifetime().toSeconds();
        Duration step = Duration.ofNanos((long) (1e9 / perSecond));
        time.at(step, () -> {
            if (!time.instant().isBefore(T0.plus(scenario.churnEnd()))) {
                return;
            }
            if (!live.isEmpty()) {
                Pod victim = live.get(random.nextInt(live.size()));
                delete(victim);
                bind(victim.node);
            }
            churn();
        });
    }

    /** Replaces the old pods from {@code from} on, a quarter of them at a time; each batch once the last is ready. */
    private void rollingUpdate(List<Pod> old, int from) {
        if (from >= old.size() || !time.instant().isBefore(T0.plus(scenario.churnEnd()))) {
            return;
        }
        int batch = Math.max(1, (old.size() + 3) / 4);
        int to = Math.min(old.size(), from + batch);
        int[] pending = {to - from};
        for (Pod previous : old.subList(from, to)) {
            Pod next = bind(roomyNode());
            next.onAddressed = () -> time.at(READY_AFTER, () -> {
                delete(previous);
                if (--pending[0] == 0) {
                    rollingUpdate(old, to);
                }
            });
        }
    }

    /** The scheduler's spread, roughly: a random ready node with room, after a few looks any ready node. */
    private FleetNode roomyNode() {
        List<FleetNode> ready = nodes.stream().filter(FleetNode::ready).toList();
        FleetNode node = ready.get(random.nextInt(ready.size()));
        for (int look = 0; look < 5 && livePerNode.getOrDefault(node, 0) >= MAX_PODS_PER_NODE; look++) {
            node = ready.get(random.nextInt(ready.size()));
        }
        return node;
    }

    /** A CronJob's pods, bound together to random nodes; they finish and are deleted together. */
    private void burst() {
        if (!time.instant().isBefore(T0.plus(scenario.churnEnd()))) {
            return;
        }
        List<Pod> jobs = new ArrayList<>();
        for (int i = 0; i < scenario.burstPods() && nodes.stream().anyMatch(FleetNode::ready); i++) {
            FleetNode node = roomyNode();
            if (livePerNode.getOrDefault(node, 0) < MAX_PODS_PER_NODE) {
                jobs.add(bind(node)); // else the Job's pod waits for the next run
            }
        }
        time.at(BURST_POD_LIFETIME, () -> jobs.forEach(this::delete));
        time.at(scenario.burstEvery(), this::burst);
    }

    private void sample(long seconds) {
        int idle = 0;
        for (FleetNode node : nodes) {
            var stats = node.datastore.stats();
            idle += stats.total() - stats.assigned();
        }
        idleAddressSeconds += idle * (double) SAMPLE.toSeconds();
        for (String subnet : subnets) {
            minSubnetHeadroom = Math.min(minSubnetHeadroom, ec2.freeAddresses(subnet));
        }
        if (seconds % 60 == 0) {
            long calls = ec2.totalCalls();
            long throttles = ec2.totalThrottled();
            perMinute.add(new long[] {calls - lastCalls, throttles - lastThrottles});
            lastCalls = calls;
            lastThrottles = throttles;
        }
        time.at(SAMPLE, () -> sample(seconds + SAMPLE.toSeconds()));
    }

    /** Across the fleet: every address a datastore holds is EC2's on that node's ENIs, and no two nodes share one. */
    private void checkFleet() {
        ec2.throttling(false); // the harness's look, not the account's load
        for (Pod pod : live) {
            // A restarted ipamd (the DaemonSet roll) must have every running pod's address back from its checkpoint.
            if (pod.addressed != null && pod.node.datastore.find(pod.key())
                    .filter(a -> a.ip().toString().equals(pod.ip)).isEmpty()) {
                violations.add("pod " + pod.id + " on " + pod.node.name + " holds " + pod.ip
                        + " but its node's ipamd does not know it (ipamd started " + pod.node.starts + " times)");
            }
        }
        Map<String, String> owner = new HashMap<>();
        for (FleetNode node : nodes) {
            Set<String> onEc2 = new LinkedHashSet<>();
            ec2.describeNetworkInterfaces(Ec2Api.EniQuery.attachedTo(node.instanceId))
                    .forEach(eni -> eni.secondaryIps().forEach(ip -> onEc2.add(ip + "/32")));
            for (var eni : node.datastore.stats().enis()) {
                for (var cidr : eni.cidrs()) {
                    String text = cidr.cidr().toString();
                    String previous = owner.put(text, node.name);
                    if (previous != null) {
                        violations.add(text + " is held by " + previous + " and " + node.name);
                    }
                    if (!onEc2.contains(text)) {
                        violations.add(text + " is in " + node.name + "'s datastore but not on its ENIs in EC2");
                    }
                }
            }
        }
    }

    private FleetReport report(Map<String, Long> callsByApi, Map<String, Long> throttledByApi, double wallSeconds) {
        List<Long> latencies = new ArrayList<>();
        List<Long> laterLatencies = new ArrayList<>();
        Instant later = T0.plus(scenario.churnStart());
        long unaddressed = 0;
        for (Pod pod : pods) {
            if (pod.addressed != null) {
                long millis = Duration.between(pod.bound, pod.addressed).toMillis();
                latencies.add(millis);
                if (!pod.bound.isBefore(later)) {
                    laterLatencies.add(millis);
                }
            } else if (!pod.deleted) {
                unaddressed++;
            }
        }
        latencies.sort(null);
        laterLatencies.sort(null);
        if (leases.requests() > 0) {
            System.err.printf(java.util.Locale.ROOT, "%s %s: Lease requests %d (reads %d, takes refused %d)"
                    + "; budget grants %d, deferred %d%n", scenario.name(), variant, leases.requests(), leases.reads(),
                    leases.refusedTakes(), budgets.stream().mapToLong(ShardedBudget::sharedGrants).sum(),
                    budgets.stream().mapToLong(ShardedBudget::deferredGrants).sum());
        }
        long requests = nodes.stream().mapToLong(n -> n.ec2Requests.get()).sum();
        long calls = callsByApi.values().stream().mapToLong(Long::longValue).sum();
        return new FleetReport(scenario.name(), variant, scenario.seed(), nodes.size(),
                nodes.stream().filter(FleetNode::ready).count(), pods.size(), latencies.size(), unaddressed,
                percentile(latencies, 50), percentile(latencies, 99), latencies.isEmpty() ? 0 : latencies.getLast(),
                P99Bound.p99Millis(arrivals, BOUND_EC2),
                P99Bound.firstComeP99Millis(arrivals, BOUND_EC2),
                P99Bound.warmNeeded(arrivals, BOUND_EC2, 2 * BOUND_EC2.floor().toMillis()),
                laterLatencies.size(), percentile(laterLatencies, 99),
                laterLatencies.isEmpty() ? 0 : laterLatencies.getLast(),
                pods.stream().filter(p -> p.failedAdd).count(), addFailures, addFailuresOnRefusedGrow,
                pods.stream().filter(p -> p.failedOnThrottle).count(), addFailuresOnThrottle, calls, requests,
                ec2.totalThrottled(), perMinute.stream().mapToLong(m -> m[0]).max().orElse(0),
                perMinute.stream().mapToLong(m -> m[1]).max().orElse(0), idleAddressSeconds / 3600.0,
                minSubnetHeadroom, callsByApi, throttledByApi,
                failedActions(),
                nodes.stream().mapToLong(n -> n.syncFailures).sum(),
                nodes.stream().filter(n -> n.syncFailures > 0).map(n -> n.name + ": " + n.lastSyncFailure).toList(),
                List.copyOf(violations), nodes.stream().mapToLong(n -> n.restartRequests.get()).sum(),
                rollStarted == null ? 0 : Duration.between(rollStarted, rollEnded == null ? time.instant() : rollEnded)
                        .toSeconds(),
                leases.requests(), budgetLocalGrants(), scenario.length().toMinutes(), wallSeconds);
    }

    private Map<String, Long> budgetLocalGrants() {
        Map<String, Long> all = new TreeMap<>();
        // Describes are outside the budget by design: only the budgeted calls that went on the node's own rate.
        budgets.forEach(b -> b.localGrants().forEach((k, v) -> {
            if (!k.equals("not budgeted")) {
                all.merge(k, v, Long::sum);
            }
        }));
        return all;
    }

    private Map<String, Long> failedActions() {
        Map<String, Long> all = new TreeMap<>();
        nodes.forEach(n -> n.failedActions.forEach((k, v) -> all.merge(k, v, Long::sum)));
        return all;
    }

    private static long percentile(List<Long> sorted, int percent) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index));
    }
}
