package io.vpccni.it.ipamd;

import io.vpccni.it.localstack.EmulatorTiming;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.Failure;
import io.vpccni.rpc.message.IpamReply;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark, not a test (bench/ipamd.sh runs it): 100 pods added at once on an empty node (the daemon just
 * started and holding its default warm target), each pod retrying as the runtime would while ipamd answers
 * "try again later". Reports the time until every pod has an address and the EC2 calls the daemon made,
 * next to the calls aws-vpc-cni's design makes for the same ENIs. The daemon runs in this JVM so that its
 * EC2 call counters ({@code Ec2CallStats}) can be read directly.
 */
public final class IpamdBurstBench {

    static final String INSTANCE_TYPE = "m5.4xlarge"; // 8 ENIs x 30 addresses: 232 pods on secondary IPs
    static final int PODS = 100;

    private IpamdBurstBench() {}

    public static void main(String[] args) throws Exception {
        System.out.println("#### The emulator answering at once, never throttling");
        System.out.println();
        burst(false);
        System.out.println("#### With EC2's latency and throttling (the emulator's realistic timing)");
        System.out.println();
        try (EmulatorTiming timing = EmulatorTiming.realistic()) {
            System.out.println("Emulator timing: " + EmulatorTiming.current() + ".");
            System.out.println();
            burst(true);
        }
    }

    private static void burst(boolean realistic) throws Exception {
        try (SimulatedNode node = new SimulatedNode(INSTANCE_TYPE, Map.of())) {
            node.networking = node.waitingForAttachment();
            node.start();
            int perEni = node.daemon.view().limits().ipv4PerEni() - 1;
            node.settle(() -> node.daemon.view().poolStats().available() >= perEni);
            Map<String, Long> atStart = new TreeMap<>(node.stats.calls());
            int enisAtStart = node.daemon.view().enis().size();
            String loadBefore = IpamdLatencyBench.loadAverage();
            AtomicInteger retries = new AtomicInteger();

            long t0 = System.nanoTime();
            Latencies untilAddressed = Latencies.of(ConcurrentClients.run(PODS, 1,
                    (c, i) -> addRetrying(node, "burst-" + c, retries)));
            double allAddressedMillis = (System.nanoTime() - t0) / 1e6;
            Map<String, Long> atBurstEnd = new TreeMap<>(node.stats.calls());
            node.settle(() -> node.daemon.view().poolStats().available() >= perEni);
            Map<String, Long> settled = new TreeMap<>(node.stats.calls());
            int enisCreated = node.daemon.view().enis().size() - enisAtStart;

            System.out.printf("Node: %s (%d ENIs x %d addresses), default warm settings (WARM_ENI_TARGET=1). "
                    + "Before the burst: %d ENI(s), %d free addresses. Load average before / after: %s / %s.%n%n",
                    INSTANCE_TYPE, node.daemon.view().limits().maxEnis(), perEni + 1, enisAtStart, perEni, loadBefore,
                    IpamdLatencyBench.loadAverage());
            System.out.printf("All %d pods had an address after **%.0f ms**; %d \"try again later\" answers were "
                    + "retried. Time until each pod had its address (ms):%n%n", PODS, allAddressedMillis,
                    retries.get());
            System.out.println(Latencies.HEADER);
            System.out.println(untilAddressed.row("pod, from burst start"));
            System.out.println();
            System.out.println("EC2 calls (the daemon's Ec2CallStats): at start-up until the warm target, during "
                    + "the burst, and after it until the warm target was reached again:");
            System.out.println();
            System.out.println("| API | start-up | burst | after the burst | burst + after |");
            System.out.println("|---|---|---|---|---|");
            for (String api : settled.keySet()) {
                long start = atStart.getOrDefault(api, 0L);
                long burst = atBurstEnd.getOrDefault(api, 0L) - start;
                long after = settled.get(api) - atBurstEnd.getOrDefault(api, 0L);
                System.out.printf("| %s | %d | %d | %d | %d |%n", api, start, burst, after, burst + after);
            }
            long ours = total(settled) - total(atStart);
            long fills = countFills(settled, atStart);
            long theirs = 4L * enisCreated + fills;
            System.out.printf("%nEC2 refusals seen by the daemon (RequestLimitExceeded and others): %s.%n",
                    node.stats.errors().isEmpty() ? "none" : node.stats.errors());
            if (realistic) {
                // The pool grows one ENI at a time (one EC2 action per tick): each new ENI costs at least its
                // create, its attach and the attachment's time to complete, one after another.
                var latency = EmulatorTiming.current().path("latency");
                long floorPerEni = latency.path("CreateNetworkInterface").asLong() + latency.path("AttachNetworkInterface")
                        .asLong() + latency.path("attachment").asLong();
                long duringBurst = atBurstEnd.getOrDefault("AttachNetworkInterface", 0L)
                        - atStart.getOrDefault("AttachNetworkInterface", 0L);
                System.out.printf("%nFloor: the %d ENIs attached during the burst, one after another, x %d ms "
                        + "(create + attach + attachment complete) = %d ms; all pods addressed after %.0f ms, "
                        + "**%.2fx** the floor.%n", duringBurst, floorPerEni, duringBurst * floorPerEni,
                        allAddressedMillis, allAddressedMillis / Math.max(1, duringBurst * floorPerEni));
            }
            System.out.printf("%nFor the %d pods the daemon created and attached %d ENIs with %d EC2 calls in "
                    + "all (%.1f per ENI). aws-vpc-cni's design for the same ENIs: Create + DescribeInstances + "
                    + "Attach + Modify per ENI (4 x %d) plus one AssignPrivateIpAddresses per top-up (at least one "
                    + "per new ENI, %d) = **%d** calls.%n%n", PODS, enisCreated, ours,
                    enisCreated == 0 ? 0.0 : (double) ours / enisCreated, enisCreated, fills, theirs);
        }
    }

    /** aws-vpc-cni creates an ENI without addresses and fills it with a separate AssignPrivateIpAddresses. */
    private static long countFills(Map<String, Long> settled, Map<String, Long> atStart) {
        long created = settled.getOrDefault("CreateNetworkInterface", 0L)
                - atStart.getOrDefault("CreateNetworkInterface", 0L);
        long assigns = settled.getOrDefault("AssignPrivateIpAddresses", 0L)
                - atStart.getOrDefault("AssignPrivateIpAddresses", 0L);
        return Math.max(created, assigns);
    }

    private static long total(Map<String, Long> calls) {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The runtime's view: a retryable failure (CNI code 11) means the pod sandbox is tried again. */
    private static void addRetrying(SimulatedNode node, String container, AtomicInteger retries) throws Exception {
        while (true) {
            IpamReply reply = node.client().call(new AddRequest("aws-cni", container, "eth0",
                    "/var/run/netns/" + container, "default", container, "uid-" + container));
            switch (reply) {
                case AddOk ok -> {
                    return;
                }
                case Failure f when f.retryable() -> retries.incrementAndGet();
                default -> throw new IllegalStateException(container + ": " + reply);
            }
        }
    }
}
