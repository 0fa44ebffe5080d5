package io.vpccni.it.ipamd;

import io.vpccni.it.vpc.PodNs;
import io.vpccni.it.vpc.SimulatedNodeNs;
import io.vpccni.it.vpc.VpcBox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * ipamd's memory with its plugin server wiring the pods: one node of VPC in a box (real ipamd in a node namespace,
 * the shim through cnitool or directly), {@code pods} pods added one after another, then ipamd's resident set and
 * heap. The daemon's JVM flags are the image's (IpamdProcess.jvmFlags()).
 * With a directory, also where the memory goes at the two moments ({@link JvmBreakdown}; bench/ipamd-memory.sh
 * adds {@code -XX:NativeMemoryTracking=summary} to the flags for it).
 * Not a test: {@code ServedPodsMemoryBench [pods=250] [breakdown-dir]}, prints markdown.
 */
public final class ServedPodsMemoryBench {
    private ServedPodsMemoryBench() {}

    public static void main(String[] args) throws Exception {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 250;
        Path breakdownDir = args.length > 1 ? Path.of(args[1]) : null;
        // m5.16xlarge: 15 ENIs of 50 addresses, room for 250 pods with the pool's warm ENI.
        try (VpcBox box = VpcBox.start(List.of(new VpcBox.NodeSpec("node-m", "m5.16xlarge", Map.of())),
                step -> System.err.println("[bench] " + step))) {
            SimulatedNodeNs node = box.nodes().getFirst();
            long pid = node.ipamd().pid();
            // Scraped before each measurement, as Prometheus scrapes a node every 15-30 s: the metrics code is then
            // loaded and has run, as on a real node.
            node.pluginServerInvocations();
            JvmMemory idle = JvmMemory.of(pid);
            JvmBreakdown idleBreakdown = breakdownDir == null ? null : JvmBreakdown.of(pid, breakdownDir, "ready");
            long started = System.nanoTime();
            for (int i = 1; i <= pods; i++) {
                PodNs pod = box.addPod("pod-" + i, node, Duration.ofSeconds(120));
                if (i % 50 == 0) {
                    System.err.printf("[bench] %d pods, last %s%n", i, pod.ip());
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            node.pluginServerInvocations();
            JvmMemory loaded = JvmMemory.of(pid);
            JvmBreakdown loadedBreakdown = breakdownDir == null ? null : JvmBreakdown.of(pid, breakdownDir, "pods");
            JvmMemory.collect(pid);
            JvmMemory collected = JvmMemory.of(pid);
            long trimmedKib = breakdownDir == null ? 0 : JvmBreakdown.rssKibAfterNativeTrim(pid);
            long invocations = node.pluginServerInvocations();
            System.out.printf("ipamd flags: `%s`%n%n", String.join(" ", io.vpccni.it.vpc.IpamdProcess.jvmFlags()));
            System.out.println("| when | RSS MiB | RSS peak MiB | heap used MiB | heap committed MiB |");
            System.out.println("|---|---|---|---|---|");
            row("ready, no pod", idle);
            row(pods + " pods wired by its plugin server", loaded);
            row("the same after a full GC (live heap)", collected);
            System.out.printf("%n%d pods in %.1f s; awscni_plugin_server_invocations %d%n", pods, seconds, invocations);
            if (breakdownDir != null) {
                System.out.printf("RSS after the full GC and System.trim_native_heap (glibc returns its free arena"
                        + " memory): %s MiB%n", JvmMemory.mib(trimmedKib));
                printBreakdown(idleBreakdown, loadedBreakdown, pods);
                System.out.printf("%nRaw jcmd outputs: %s%n", breakdownDir);
            }
        }
    }

    private static void printBreakdown(JvmBreakdown idle, JvmBreakdown loaded, int pods) {
        String head = "| ready, no pod | " + pods + " pods |";
        System.out.printf("%n| NMT category, committed MiB " + head + "%n|---|---|---|%n");
        System.out.printf("| RSS | %s | %s |%n", JvmMemory.mib(idle.rssKib()), JvmMemory.mib(loaded.rssKib()));
        System.out.printf("| NMT total | %s | %s |%n", JvmMemory.mib(idle.nmtCommittedKib()),
                JvmMemory.mib(loaded.nmtCommittedKib()));
        Set<String> categories = new LinkedHashSet<>(idle.nmtCommittedKibByCategory().keySet());
        categories.addAll(loaded.nmtCommittedKibByCategory().keySet());
        for (String c : categories) {
            System.out.printf("| %s | %s | %s |%n", c,
                    JvmMemory.mib(idle.nmtCommittedKibByCategory().getOrDefault(c, 0L)),
                    JvmMemory.mib(loaded.nmtCommittedKibByCategory().getOrDefault(c, 0L)));
        }
        System.out.printf("| NMT malloc (peak) | %s (%s) | %s (%s) |%n", JvmMemory.mib(idle.nmtMallocKib()),
                JvmMemory.mib(idle.nmtMallocPeakKib()), JvmMemory.mib(loaded.nmtMallocKib()),
                JvmMemory.mib(loaded.nmtMallocPeakKib()));
        System.out.printf("%n| resident MiB per mapping (System.map) " + head + "%n|---|---|---|%n");
        Set<String> kinds = new TreeSet<>(idle.residentKibByMapping().keySet());
        kinds.addAll(loaded.residentKibByMapping().keySet());
        for (String k : kinds) {
            System.out.printf("| %s | %s | %s |%n", k, JvmMemory.mib(idle.residentKibByMapping().getOrDefault(k, 0L)),
                    JvmMemory.mib(loaded.residentKibByMapping().getOrDefault(k, 0L)));
        }
        System.out.printf("%n| classes loaded (Klass KiB) " + head + "%n|---|---|---|%n");
        List<String> libraries = new ArrayList<>(JvmBreakdown.LIBRARIES);
        libraries.add("other");
        int idleTotal = 0;
        int loadedTotal = 0;
        for (String l : libraries) {
            JvmBreakdown.LibraryClasses a = idle.classesByLibrary().getOrDefault(l, new JvmBreakdown.LibraryClasses(0, 0));
            JvmBreakdown.LibraryClasses b = loaded.classesByLibrary().getOrDefault(l, new JvmBreakdown.LibraryClasses(0, 0));
            idleTotal += a.count();
            loadedTotal += b.count();
            System.out.printf("| %s | %d (%d) | %d (%d) |%n", l, a.count(), a.klassBytes() / 1024, b.count(),
                    b.klassBytes() / 1024);
        }
        System.out.printf("| all | %d | %d |%n", idleTotal, loadedTotal);
        System.out.printf("%n| platform threads " + head + "%n|---|---|---|%n");
        Set<String> names = new TreeSet<>(idle.threadsByName().keySet());
        names.addAll(loaded.threadsByName().keySet());
        for (String n : names) {
            System.out.printf("| %s | %d | %d |%n", n, idle.threadsByName().getOrDefault(n, 0),
                    loaded.threadsByName().getOrDefault(n, 0));
        }
        System.out.printf("| all | %d | %d |%n", idle.platformThreads(), loaded.platformThreads());
        System.out.printf("%nClass histogram at %d pods, top entries (num, instances, bytes, class):%n%n```%n", pods);
        loaded.histogramTop().forEach(System.out::println);
        System.out.println("```");
    }

    private static void row(String when, JvmMemory m) {
        System.out.printf("| %s | %s | %s | %s | %s |%n", when, JvmMemory.mib(m.rssKib()), JvmMemory.mib(m.rssPeakKib()),
                JvmMemory.mib(m.heapUsedKib()), JvmMemory.mib(m.heapCommittedKib()));
    }
}
