package io.vpccni.it.ipamd;

import io.vpccni.it.vpc.IpamdProcess;
import io.vpccni.it.vpc.PodNs;
import io.vpccni.it.vpc.SimulatedNodeNs;
import io.vpccni.it.vpc.VpcBox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.ToLongFunction;

/**
 * ipamd's start to ready and to its first ADD: one node of VPC in a box (the production daemon in a node namespace,
 * EC2 the emulator through the fabric, a test IMDS), {@code pods} pods wired so that the checkpoint holds them, then
 * {@code rounds} restarts (SIGTERM, as a rolling update stops it, then a new process) with the checkpoint as the
 * daemon wrote it (recording the pool, so adds are served from it before EC2 answers) and as many with the pool taken
 * out of it (aws-node's format: adds wait for EC2), alternating. Each start is timed from the exec to the first 200
 * of {@code /readyz} on the introspection port inside the node (curl every 10 ms) and to the end of a pod's CNI ADD
 * sent through the node's runtime just before the exec (the shim waits for the daemon; the pod is deleted after the
 * round). The daemon's own log splits each start. The daemon's JVM flags are the image's (IpamdProcess.jvmFlags()).
 * With {@code -Dvpccni.bench.compareFlags=FLAGS} the two kinds of start are instead with those flags added to the
 * image's and without them (an AOT cache: {@code -XX:AOTCache=...}), both with the pool in the checkpoint; the
 * daemon's resident set when ready is reported for each.
 * Not a test: {@code StartToReadyBench [rounds=10] [pods=10]}, prints markdown;
 * {@code -Dvpccni.bench.ipamdLog=FILE} keeps a copy of the daemon's log.
 */
public final class StartToReadyBench {
    private StartToReadyBench() {}

    /** One start, in ms from the exec: the daemon's first log line, each milestone line, /readyz 200, the ADD's end. */
    private record Start(long firstLine, long fromCheckpoint, long found, long serving, long ready, long firstAdd,
                         int addRetries, long rssKib) {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int pods = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String compared = System.getProperty("vpccni.bench.compareFlags", "").strip();
        String imageExtra = System.getProperty(IpamdProcess.EXTRA_FLAGS_PROPERTY, "").strip();
        try (VpcBox box = VpcBox.start(List.of(new VpcBox.NodeSpec("node-s", "m5.large", Map.of())),
                step -> System.err.println("[bench] " + step));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            SimulatedNodeNs node = box.nodes().getFirst();
            for (int i = 1; i <= pods; i++) {
                box.addPod("pod-" + i, node, Duration.ofSeconds(120));
            }
            Path log = node.dir().resolve("ipamd.log");
            Path checkpoint = node.dir().resolve("ipam.json");
            Map<Boolean, List<Start>> starts = new LinkedHashMap<>(Map.of(true, new ArrayList<>(), false,
                    new ArrayList<>()));
            for (int r = 1; r <= 2 * rounds; r++) {
                boolean first = r % 2 == 1; // with the pool, or with the compared flags
                boolean withPool = first || !compared.isEmpty();
                node.ipamd().close();
                if (!compared.isEmpty()) { // jvmFlags() reads the property at each start
                    System.setProperty(IpamdProcess.EXTRA_FLAGS_PROPERTY, first ? imageExtra + " " + compared : imageExtra);
                }
                if (!withPool) { // as aws-node writes it: the pool is our addition, the last key
                    String json = Files.readString(checkpoint);
                    int at = json.indexOf(",\"enis\":[");
                    Files.writeString(checkpoint, at < 0 ? json : json.substring(0, at) + "}\n");
                }
                long logFrom = Files.size(log);
                // Threads of their own: on 2 CPUs the common pool runs one task at a time, and the /readyz poll
                // would hold the ADD back until the daemon is ready.
                CompletableFuture<Long> readyAt = CompletableFuture.supplyAsync(() -> awaitReadyz(node), threads);
                String podName = "first-" + r;
                CompletableFuture<PodNs> added = CompletableFuture.supplyAsync(() -> {
                    try {
                        return box.addPod(podName, node, Duration.ofSeconds(300));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, threads);
                CompletableFuture<Long> addedAt = added.thenApply(p -> System.nanoTime());
                long wallAtExec = System.currentTimeMillis();
                node.ipamd().start(Duration.ofSeconds(300)); // a loaded machine has taken over 100 s
                long execNanos = node.ipamd().execNanos();
                long ready = (readyAt.get() - execNanos) / 1_000_000;
                long firstAdd = (addedAt.get() - execNanos) / 1_000_000;
                long rssKib = JvmMemory.of(node.ipamd().pid()).rssKib();
                PodNs pod = added.get();
                box.removePod(pod);
                String lines = Files.readString(log).substring((int) logFrom);
                Start s = new Start(since(lines, "", wallAtExec), since(lines, "from the checkpoint until EC2", wallAtExec),
                        since(lines, "): found ", wallAtExec), since(lines, "serving the plugin on", wallAtExec),
                        ready, firstAdd, pod.addRetries(), rssKib);
                starts.get(first).add(s);
                System.err.printf("[bench] start %d/%d (%s): ready in %d ms, first ADD in %d ms (%s)%n", r,
                        2 * rounds, !compared.isEmpty() ? (first ? "with " + compared : "without it")
                                : withPool ? "checkpoint with the pool" : "aws-node's checkpoint", ready, firstAdd, s);
            }
            String keep = System.getProperty("vpccni.bench.ipamdLog");
            if (keep != null) { // the daemon's whole log, for a closer look at where a start goes
                Files.copy(log, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            System.setProperty(IpamdProcess.EXTRA_FLAGS_PROPERTY, imageExtra);
            System.out.printf("ipamd flags: `%s`; %d pods in the checkpoint; %d starts each way, alternating%n%n",
                    String.join(" ", IpamdProcess.jvmFlags()), pods, rounds);
            System.out.println(compared.isEmpty()
                    ? "| from exec to | with the pool in the checkpoint: median ms (min-max) | aws-node's"
                            + " checkpoint, no pool: median ms (min-max) | ratio |"
                    : "| from exec to | with `" + compared + "`: median ms (min-max) | without: median ms (min-max)"
                            + " | ratio |");
            System.out.println("|---|---|---|---|");
            row("the daemon's first log line (JVM start, configuration)", starts, Start::firstLine);
            row("\"serving N free addresses ... from the checkpoint\" (socket, checkpoint read, veths checked)",
                    starts, Start::fromCheckpoint);
            row("**the first ADD done** (sent just before the exec; the shim waits for the daemon)", starts,
                    Start::firstAdd);
            row("\"found N ENIs\" (instance metadata, EC2 limits and ENIs, node set-up)", starts, Start::found);
            row("\"serving the plugin\" (maintainer, restore, cluster link, loops)", starts, Start::serving);
            row("**`/readyz` 200** (introspection listening)", starts, Start::ready);
            if (!compared.isEmpty()) {
                long[] with = starts.get(true).stream().mapToLong(Start::rssKib).sorted().toArray();
                long[] without = starts.get(false).stream().mapToLong(Start::rssKib).sorted().toArray();
                System.out.printf("| resident set once ready, MiB | %s (%s-%s) | %s (%s-%s) | %.2fx |%n",
                        JvmMemory.mib(median(with)), JvmMemory.mib(with[0]), JvmMemory.mib(with[with.length - 1]),
                        JvmMemory.mib(median(without)), JvmMemory.mib(without[0]),
                        JvmMemory.mib(without[without.length - 1]), (double) median(with) / median(without));
            }
            System.out.printf("%nADDs retried by the runtime: %d with the pool, %d without.%n",
                    starts.get(true).stream().mapToInt(Start::addRetries).sum(),
                    starts.get(false).stream().mapToInt(Start::addRetries).sum());
        }
    }
    /** Polls /readyz inside the node until it answers 200; System.nanoTime() then. */
    private static long awaitReadyz(SimulatedNodeNs node) {
        var result = node.namespace().exec(Map.of(), null, List.of("sh", "-c",
                "until curl -fs -o /dev/null --max-time 1 http://127.0.0.1:61679/readyz; do sleep 0.01; done"));
        long at = System.nanoTime();
        if (!result.ok()) {
            throw new IllegalStateException("polling /readyz failed: " + result.stderr());
        }
        return at;
    }

    /** Ms from {@code wallAtExec} to the first log line containing {@code marker}; -1 if there is none. */
    private static long since(String lines, String marker, long wallAtExec) {
        // Lines of the daemon's own log start with their instant; continuation lines (stack traces) do not.
        Optional<String> line = lines.lines().filter(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z .*"))
                .filter(l -> l.contains(marker)).findFirst();
        return line.map(l -> Instant.parse(l.substring(0, l.indexOf(' '))).toEpochMilli() - wallAtExec).orElse(-1L);
    }

    private static void row(String what, Map<Boolean, List<Start>> starts, ToLongFunction<Start> of) {
        long[] with = starts.get(true).stream().mapToLong(of).sorted().toArray();
        long[] without = starts.get(false).stream().mapToLong(of).sorted().toArray();
        long a = median(with);
        long b = median(without);
        System.out.printf("| %s | %s | %s | %s |%n", what, cell(with), cell(without),
                a < 0 || b <= 0 ? "" : String.format("%.2fx", (double) a / b));
    }

    /** The upper median, as the rows before this benchmark took it; -1 when a milestone was never logged. */
    private static long median(long[] ms) {
        return ms.length == 0 || ms[0] < 0 ? -1 : ms[ms.length / 2];
    }

    private static String cell(long[] ms) {
        return median(ms) < 0 ? "-" : median(ms) + " (" + ms[0] + "-" + ms[ms.length - 1] + ")";
    }
}
