package io.vpccni.it.ipamd;

import io.vpccni.it.vpc.PodNs;
import io.vpccni.it.vpc.SimulatedNodeNs;
import io.vpccni.it.vpc.VpcBox;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * ipamd's memory with its plugin server wiring the pods: one node of VPC in a box (real ipamd in a node namespace,
 * the shim through cnitool or directly), {@code pods} pods added one after another, then ipamd's resident set and
 * heap. The daemon's JVM flags come from {@code -Dvpccni.ipamd.jvmFlags} (bench/ipamd-served.sh passes the image's).
 * Not a test: {@code ServedPodsMemoryBench [pods=250]}, prints markdown.
 */
public final class ServedPodsMemoryBench {
    private ServedPodsMemoryBench() {}

    public static void main(String[] args) throws Exception {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 250;
        // m5.16xlarge: 15 ENIs of 50 addresses, room for 250 pods with the pool's warm ENI.
        try (VpcBox box = VpcBox.start(List.of(new VpcBox.NodeSpec("node-m", "m5.16xlarge", Map.of())),
                step -> System.err.println("[bench] " + step))) {
            SimulatedNodeNs node = box.nodes().getFirst();
            long pid = node.ipamd().pid();
            JvmMemory idle = JvmMemory.of(pid);
            long started = System.nanoTime();
            for (int i = 1; i <= pods; i++) {
                PodNs pod = box.addPod("pod-" + i, node, Duration.ofSeconds(120));
                if (i % 50 == 0) {
                    System.err.printf("[bench] %d pods, last %s%n", i, pod.ip());
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            JvmMemory loaded = JvmMemory.of(pid);
            JvmMemory.collect(pid);
            JvmMemory collected = JvmMemory.of(pid);
            long invocations = node.pluginServerInvocations();
            System.out.printf("ipamd flags: `%s`%n%n", System.getProperty("vpccni.ipamd.jvmFlags", "(the tests')"));
            System.out.println("| when | RSS MiB | RSS peak MiB | heap used MiB | heap committed MiB |");
            System.out.println("|---|---|---|---|---|");
            row("ready, no pod", idle);
            row(pods + " pods wired by its plugin server", loaded);
            row("the same after a full GC (live heap)", collected);
            System.out.printf("%n%d pods in %.1f s; awscni_plugin_server_invocations %d%n", pods, seconds, invocations);
        }
    }

    private static void row(String when, JvmMemory m) {
        System.out.printf("| %s | %s | %s | %s | %s |%n", when, JvmMemory.mib(m.rssKib()), JvmMemory.mib(m.rssPeakKib()),
                JvmMemory.mib(m.heapUsedKib()), JvmMemory.mib(m.heapCommittedKib()));
    }
}
