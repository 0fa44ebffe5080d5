package io.vpccni.it.vpc;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One churn on a running {@link VpcBox}, for {@link ChurnTest}: a stream of ADDs and DELs per node, all at once, and
 * a killer thread that SIGKILLs ipamd at planned moments and restarts it as the DaemonSet would. {@link #run} returns
 * when the streams have done their operations and every planned kill and restart has happened; what it saw is then
 * in {@link #tally}, {@link #problems}, {@link #crashes}, {@link #live} and {@link #everHeld} for the test to judge.
 *
 * <p>Random choices come from the test's one seed: the kill plan from {@code plan}, each node's operations from
 * {@code seed + 1 + node index}.
 */
final class ChurnHarness {

    /** One planned kill: once {@code afterOperation} operations are done, wait {@code delayMillis}, kill ipamd. */
    record Kill(int afterOperation, int node, int delayMillis, int restartAfterMillis) {}

    /** Counts of one run, for the report and the assertions. */
    static final class Tally {
        final AtomicInteger operations = new AtomicInteger();
        final AtomicInteger adds = new AtomicInteger();
        final AtomicInteger dels = new AtomicInteger();
        final AtomicInteger failedAdds = new AtomicInteger();
        final AtomicInteger failedDels = new AtomicInteger();
        final AtomicInteger kills = new AtomicInteger();
        final AtomicInteger onSecondaryEni = new AtomicInteger();
        // The slowest ADD, retries included, against the patience: how close a run came to giving up.
        final AtomicLong slowestAddMillis = new AtomicLong();
    }

    private final VpcBox box;
    private final int operations;
    private final int maxLivePerNode;
    private final long seed;
    private final Duration patience;
    private final Duration servesBeforeNextKill;

    final Tally tally = new Tally();
    /** Every address given twice, said as a sentence; empty when none was. */
    final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    /** What stopped a stream, the killer or a restart; the churn stops at the first. */
    final List<Throwable> crashes = Collections.synchronizedList(new ArrayList<>());
    /** Each node's live pods, at the end the ones still added. */
    final Map<SimulatedNodeNs, List<PodNs>> live = new ConcurrentHashMap<>();
    /** Each address a node's pods ever held, to check nothing is left of the released ones. */
    final Map<SimulatedNodeNs, Set<String>> everHeld = new ConcurrentHashMap<>();

    private final Map<String, PodNs> holders = new ConcurrentHashMap<>();
    private final CountDownLatch killsDone = new CountDownLatch(1);
    private long churnStarted;

    ChurnHarness(VpcBox box, int operations, int maxLivePerNode, long seed, Duration patience,
                 Duration servesBeforeNextKill) {
        this.box = box;
        this.operations = operations;
        this.maxLivePerNode = maxLivePerNode;
        this.seed = seed;
        this.patience = patience;
        this.servesBeforeNextKill = servesBeforeNextKill;
    }

    /**
     * Kill moments spread over the run: the operation counts are drawn uniformly from the middle 90 % (so the
     * daemon dies under load, not before or after it), plus a delay of up to a plugin call's length so the kill can
     * land inside one.
     */
    static List<Kill> planKills(Random random, int nodes, int operations, int kills) {
        TreeMap<Integer, Kill> byOperation = new TreeMap<>();
        int from = operations / 20;
        int span = operations * 9 / 10;
        while (byOperation.size() < kills) {
            int at = from + random.nextInt(span);
            byOperation.putIfAbsent(at, new Kill(at, random.nextInt(nodes), random.nextInt(400),
                    random.nextInt(1500)));
        }
        return List.copyOf(byOperation.values());
    }

    /** Runs the churn to its end; returns its length in seconds. */
    double run(List<Kill> kills) throws InterruptedException {
        churnStarted = System.nanoTime();
        Thread killer = Thread.ofPlatform().name("churn-killer").start(() -> killAndRestart(kills));
        List<Thread> streams = new ArrayList<>();
        for (SimulatedNodeNs node : box.nodes()) {
            List<PodNs> pods = new ArrayList<>();
            live.put(node, pods);
            Set<String> held = ConcurrentHashMap.newKeySet();
            everHeld.put(node, held);
            streams.add(Thread.ofPlatform().name("churn-" + node.name()).start(() -> stream(node, pods, held)));
        }
        for (Thread stream : streams) {
            stream.join();
        }
        killer.join();
        return (System.nanoTime() - churnStarted) / 1e9;
    }

    /**
     * The killer: each planned kill once its operation count is reached. Restarts run on threads of their own so
     * that a slow restart on one node does not hold back a kill planned on another; a node is only killed again once
     * its last restart is done and it has served for {@code servesBeforeNextKill}.
     */
    private void killAndRestart(List<Kill> kills) {
        Map<Integer, Thread> restarts = new TreeMap<>();
        try {
            for (Kill kill : kills) {
                while (tally.operations.get() < kill.afterOperation() && crashes.isEmpty()) {
                    Thread.sleep(20);
                }
                Thread previous = restarts.get(kill.node());
                if (previous != null) {
                    previous.join();
                }
                if (!crashes.isEmpty()) {
                    return;
                }
                Thread.sleep(kill.delayMillis());
                SimulatedNodeNs victim = box.nodes().get(kill.node());
                long pid = victim.ipamd().pid();
                int atOperation = tally.operations.get();
                victim.ipamd().kill();
                String what = "kill " + tally.kills.incrementAndGet() + "/" + kills.size() + " at operation "
                        + atOperation + ": ipamd of " + victim.name() + " (pid " + pid + ") SIGKILLed";
                restarts.put(kill.node(), Thread.ofPlatform().name("restart-" + victim.name())
                        .start(() -> restart(victim, kill.restartAfterMillis(), what)));
            }
        } catch (Throwable e) {
            crashes.add(e);
        } finally {
            for (Thread restart : restarts.values()) {
                try {
                    restart.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            killsDone.countDown();
        }
    }

    /** The DaemonSet's restart is not instant: some plugin calls meanwhile find no daemon at all. */
    private void restart(SimulatedNodeNs victim, int afterMillis, String what) {
        try {
            Thread.sleep(afterMillis);
            long restarting = System.nanoTime();
            victim.ipamd().start(Duration.ofSeconds(90));
            System.out.printf("[churn] %s, restarted as pid %d, ready in %.1f s%n", what, victim.ipamd().pid(),
                    (System.nanoTime() - restarting) / 1e9);
            Thread.sleep(servesBeforeNextKill);
        } catch (Throwable e) {
            crashes.add(new AssertionError("restart of ipamd on " + victim.name() + " failed", e));
        }
    }

    /**
     * One node's ADDs and DELs. One budget for all nodes, so a node stalled by a restart leaves its share to the
     * others; past the budget the streams go on until every planned kill and restart has happened: the kills must
     * land in the churn, not after it.
     */
    private void stream(SimulatedNodeNs node, List<PodNs> pods, Set<String> held) {
        Random random = new Random(seed + 1 + node.index());
        try {
            for (int i = 0; (tally.operations.get() < operations || killsDone.getCount() > 0) && crashes.isEmpty();
                 i++) {
                if (pods.isEmpty() || pods.size() < maxLivePerNode && random.nextBoolean()) {
                    add(node, node.name() + "-" + i, pods, held);
                } else {
                    del(pods.remove(random.nextInt(pods.size())));
                }
                int done = tally.operations.incrementAndGet();
                if (done % 250 == 0) {
                    System.out.printf("[churn] %d operations in %.1f s, %d kills so far%n", done,
                            (System.nanoTime() - churnStarted) / 1e9, tally.kills.get());
                }
            }
        } catch (Throwable e) {
            crashes.add(new AssertionError("churn on " + node.name() + " failed", e));
        }
    }

    /** An ADD, retried as kubelet retries a sandbox; an address another live pod holds is a problem. */
    private void add(SimulatedNodeNs node, String name, List<PodNs> pods, Set<String> held) throws Exception {
        long addStarted = System.nanoTime();
        PodNs pod = box.addPod(name, node, patience);
        tally.slowestAddMillis.accumulateAndGet((System.nanoTime() - addStarted) / 1_000_000, Math::max);
        tally.adds.incrementAndGet();
        tally.failedAdds.addAndGet(pod.addRetries());
        if (pod.deviceIndex() > 0) {
            tally.onSecondaryEni.incrementAndGet();
        }
        PodNs other = holders.putIfAbsent(pod.ip(), pod);
        if (other != null) {
            problems.add(pod.ip() + " given to " + pod.name() + " while " + other.name() + " holds it");
        }
        held.add(pod.ip());
        pods.add(pod);
    }

    /** A DEL, retried until it succeeds. */
    private void del(PodNs pod) throws Exception {
        holders.remove(pod.ip(), pod);
        tally.failedDels.addAndGet(box.removePod(pod, patience));
        tally.dels.incrementAndGet();
    }

    /** What the run did, in one line. */
    String report(double churnSeconds) {
        return String.format("%d operations (%d ADDs, %d DELs) in %.1f s; %d failed ADDs and %d failed DELs retried;"
                        + " %d pods landed on a secondary ENI; %d kills; slowest ADD %.1f s (patience %d s)",
                tally.operations.get(), tally.adds.get(), tally.dels.get(), churnSeconds, tally.failedAdds.get(),
                tally.failedDels.get(), tally.onSecondaryEni.get(), tally.kills.get(),
                tally.slowestAddMillis.get() / 1e3, patience.toSeconds());
    }

    /**
     * Fails when something stopped the churn, after printing each node's last ipamd lines; the cause is in the
     * message itself, since CI shows the failure line and not always the stack trace.
     */
    void failIfStopped() throws IOException {
        if (crashes.isEmpty()) {
            return;
        }
        for (SimulatedNodeNs node : box.nodes()) {
            System.out.println("[churn] last lines of ipamd on " + node.name() + ":\n" + node.ipamd().tail());
        }
        Throwable first = crashes.getFirst();
        AssertionError failed = new AssertionError("churn stopped (seed " + seed + "): " + firstLine(first)
                + (first.getCause() == null ? "" : " <- " + firstLine(first.getCause())), first);
        crashes.stream().skip(1).forEach(failed::addSuppressed);
        throw failed;
    }

    private static String firstLine(Throwable e) {
        return e.toString().lines().findFirst().orElse("");
    }
}
