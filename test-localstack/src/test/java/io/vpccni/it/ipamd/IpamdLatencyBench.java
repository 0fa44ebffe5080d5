package io.vpccni.it.ipamd;

import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.StatusOk;
import io.vpccni.rpc.message.StatusRequest;
import io.vpccni.rpc.transport.IpamClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Benchmark, not a test (bench/ipamd.sh runs it): the real daemon as a child process against the EC2 emulator,
 * pre-warmed so every add finds a free address; 50 clients add 250 pods at once (5 each, one after another),
 * then delete them, for a number of rounds. Times each add and delete RPC end to end (connect, request,
 * datastore, checkpoint written and fsynced, reply), and reads the daemon's memory with 250 pods assigned.
 *
 * <p>Arguments: {@code rounds variant...}, a variant being {@code name=JVM flags} (empty flags: the JVM's
 * defaults). Prints markdown to stdout.
 */
public final class IpamdLatencyBench {

    static final String INSTANCE_TYPE = "m5.16xlarge"; // 15 ENIs x 50 addresses: 250 pods fit on secondary IPs
    static final int CLIENTS = 50;
    static final int PODS = 250;
    static final int WARM = 260;

    private IpamdLatencyBench() {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        Map<String, String> settings = Map.of("MINIMUM_IP_TARGET", Integer.toString(WARM), "WARM_IP_TARGET", "1",
                "IP_COOLDOWN_PERIOD", "0"); // released addresses are free again for the next round at once
        try (SimulatedNode node = new SimulatedNode(INSTANCE_TYPE, settings)) {
            prewarm(node);
            System.out.printf("Node: %s, %s; checkpoint %s (%s), daemon settings %s.%n%n", INSTANCE_TYPE,
                    node.instance.instanceId(), node.env.get("AWS_VPC_K8S_CNI_BACKING_STORE"),
                    Files.getFileStore(node.dir).type(), settings);
            List<String> memoryRows = new ArrayList<>();
            for (String variant : Arrays.asList(args).subList(1, args.length)) {
                String name = variant.substring(0, variant.indexOf('='));
                String flags = variant.substring(variant.indexOf('=') + 1).strip();
                memoryRows.add(runVariant(node, name, flags.isEmpty() ? List.of() : List.of(flags.split("\\s+")),
                        rounds));
            }
            System.out.println("Memory with " + PODS + " pods assigned (MiB; heap from jcmd "
                    + "GC.heap_info, \"live\" after a full GC requested with jcmd GC.run):");
            System.out.println();
            System.out.println("| JVM flags | VmRSS | VmHWM (peak) | heap used | heap committed "
                    + "| VmRSS after GC | heap live |");
            System.out.println("|---|---|---|---|---|---|---|");
            memoryRows.forEach(System.out::println);
        }
    }

    private static String runVariant(SimulatedNode node, String name, List<String> flags, int rounds)
            throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start(node, flags)) {
            daemon.awaitReady();
            awaitAvailable(node, WARM);
            String loadBefore = loadAverage();
            List<long[]> firstAdds = List.of();
            List<long[]> adds = new ArrayList<>();
            List<long[]> dels = new ArrayList<>();
            JvmMemory loaded = null;
            JvmMemory live = null;
            for (int round = 1; round <= rounds; round++) {
                String prefix = name + "-r" + round + "-";
                List<long[]> roundAdds = ConcurrentClients.run(CLIENTS, PODS / CLIENTS,
                        (c, i) -> node.add(prefix + c + "-" + i));
                if (round == 1) {
                    firstAdds = roundAdds;
                } else {
                    adds.addAll(roundAdds);
                }
                if (round == rounds) {
                    loaded = JvmMemory.of(daemon.pid());
                    JvmMemory.collect(daemon.pid());
                    live = JvmMemory.of(daemon.pid());
                }
                dels.addAll(ConcurrentClients.run(CLIENTS, PODS / CLIENTS, (c, i) -> node.del(prefix + c + "-" + i)));
            }
            System.out.printf("### JVM flags: %s (`%s`)%n%n", name, String.join(" ", flags));
            System.out.printf("%d rounds of %d adds then %d deletes, %d concurrent clients; load average before "
                    + "/ after: %s / %s. Times in ms.%n%n", rounds, PODS, PODS, CLIENTS, loadBefore, loadAverage());
            System.out.println(Latencies.HEADER);
            System.out.println(Latencies.of(firstAdds).row("add, round 1 (fresh JVM)"));
            if (!adds.isEmpty()) {
                System.out.println(Latencies.of(adds).row("add, rounds 2-" + rounds));
            }
            System.out.println(Latencies.of(dels).row("delete, all rounds"));
            System.out.println();
            return "| %s | %s | %s | %s | %s | %s | %s |".formatted(name, JvmMemory.mib(loaded.rssKib()),
                    JvmMemory.mib(loaded.rssPeakKib()), JvmMemory.mib(loaded.heapUsedKib()),
                    JvmMemory.mib(loaded.heapCommittedKib()),
                    JvmMemory.mib(live.rssKib()), JvmMemory.mib(live.heapUsedKib()));
        }
    }

    /**
     * Attaches the warm pool's ENIs and addresses before the daemon starts, which takes them over: the emulator
     * hands out random addresses, so among the ~300 a daemon-built pool would get, two ENIs (or one ENI twice)
     * nearly always receive the same one, and the daemon then stalls short of its target. Distinct addresses
     * given explicitly avoid that; the latency measured is the same, since adds never call EC2.
     */
    private static void prewarm(SimulatedNode node) {
        String primaryIp = node.instance.privateIpAddress();
        String net = node.vpc.cidr().substring(0, node.vpc.cidr().indexOf(".0.0/"));
        int perEni = 49;
        for (int device = 0; device * perEni < WARM; device++) {
            List<String> ips = new ArrayList<>();
            for (int host = 10; ips.size() < perEni; host++) {
                String ip = net + "." + (device + 1) + "." + host;
                if (!ip.equals(primaryIp)) {
                    ips.add(ip);
                }
            }
            String eniId;
            if (device == 0) {
                eniId = node.instance.networkInterfaces().getFirst().networkInterfaceId();
            } else {
                int host = (primaryIp.equals(net + ".15." + (200 + device)) ? 230 : 200) + device;
                String eniPrimary = net + ".15." + host;
                eniId = node.raw.createNetworkInterface(b -> b.subnetId(node.subnetId)
                        .groups(node.vpc.securityGroupId()).privateIpAddress(eniPrimary)).networkInterface()
                        .networkInterfaceId();
                int index = device;
                node.raw.attachNetworkInterface(b -> b.networkInterfaceId(eniId).instanceId(
                        node.instance.instanceId()).deviceIndex(index));
            }
            String target = eniId;
            node.raw.assignPrivateIpAddresses(b -> b.networkInterfaceId(target).privateIpAddresses(ips));
        }
    }

    /** Waits until the pre-warmed pool has {@code count} free addresses (the maintainer fills it from EC2). */
    private static void awaitAvailable(SimulatedNode node, int count) throws Exception {
        IpamClient client = new IpamClient(Path.of(node.env.get("VPC_CNI_SOCKET")), Duration.ofSeconds(5));
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        IpamReply status = null;
        while (System.nanoTime() < deadline) {
            status = client.call(new StatusRequest());
            if (status instanceof StatusOk ok && ok.availableAddresses() >= count) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("pool did not reach " + count + " free addresses: " + status);
    }

    static String loadAverage() throws java.io.IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return String.join(" ", fields[0], fields[1], fields[2]);
    }
}
