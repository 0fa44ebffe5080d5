package io.vpccni.it.ipamd;

import io.vpccni.it.vpc.SimulatedNodeNs;
import io.vpccni.it.vpc.VpcBox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * ipamd's start to ready: one node of VPC in a box (the production daemon in a node namespace, EC2 the emulator
 * through the fabric, a test IMDS), {@code pods} pods wired so that the checkpoint holds them, then {@code rounds}
 * restarts (SIGTERM, as a rolling update stops it, then a new process), each timed from the exec to the first 200 of
 * {@code /readyz} on the introspection port inside the node (curl every 10 ms). The daemon's own log splits each
 * start: the JVM to its first line, instance metadata and EC2 to "found N ENIs", the checkpoint to "restored", the
 * rest to "serving the plugin", then the introspection listener. The daemon's JVM flags come from
 * {@code -Dvpccni.ipamd.jvmFlags} (bench/ipamd-start.sh passes the image's). Not a test:
 * {@code StartToReadyBench [rounds=10] [pods=10]}, prints markdown; {@code -Dvpccni.bench.ipamdLog=FILE} keeps a copy of
 * the daemon's log.
 */
public final class StartToReadyBench {
    private StartToReadyBench() {}

    /** One start, in ms from the exec: the daemon's first log line, each milestone line, and /readyz 200. */
    private record Start(long firstLine, long found, long restored, long serving, long ready) {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int pods = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        try (VpcBox box = VpcBox.start(List.of(new VpcBox.NodeSpec("node-s", "m5.large", Map.of())),
                step -> System.err.println("[bench] " + step))) {
            SimulatedNodeNs node = box.nodes().getFirst();
            for (int i = 1; i <= pods; i++) {
                box.addPod("pod-" + i, node, Duration.ofSeconds(120));
            }
            Path log = node.dir().resolve("ipamd.log");
            List<Start> starts = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                node.ipamd().close();
                long logFrom = Files.size(log);
                CompletableFuture<Long> readyAt = CompletableFuture.supplyAsync(() -> awaitReadyz(node));
                long wallAtExec = System.currentTimeMillis();
                node.ipamd().start(Duration.ofSeconds(120));
                long execNanos = node.ipamd().execNanos();
                long ready = (readyAt.get() - execNanos) / 1_000_000;
                String lines = Files.readString(log).substring((int) logFrom);
                Start s = new Start(since(lines, "", wallAtExec), since(lines, "): found ", wallAtExec),
                        since(lines, "restored ", wallAtExec), since(lines, "serving the plugin on", wallAtExec),
                        ready);
                starts.add(s);
                System.err.printf("[bench] start %d/%d: ready in %d ms (%s)%n", r, rounds, ready, s);
            }
            String keep = System.getProperty("vpccni.bench.ipamdLog");
            if (keep != null) { // the daemon's whole log, for a closer look at where a start goes
                Files.copy(log, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            System.out.printf("ipamd flags: `%s`; %d pods in the checkpoint; %d starts%n%n",
                    System.getProperty("vpccni.ipamd.jvmFlags", "(the tests')"), pods, rounds);
            System.out.println("| from exec to | median ms | min ms | max ms |");
            System.out.println("|---|---|---|---|");
            row("the daemon's first log line (JVM start, configuration)", starts, Start::firstLine);
            row("\"found N ENIs\" (instance metadata, EC2 limits and ENIs, node set-up)", starts, Start::found);
            row("\"restored\" (checkpoint read, veths checked)", starts, Start::restored);
            row("\"serving the plugin\" (checkpoint written, maintainer, cluster link)", starts, Start::serving);
            row("**`/readyz` 200** (introspection listening)", starts, Start::ready);
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

    private static void row(String what, List<Start> starts, java.util.function.ToLongFunction<Start> of) {
        long[] ms = starts.stream().mapToLong(of).sorted().toArray();
        System.out.printf("| %s | %d | %d | %d |%n", what, ms[ms.length / 2], ms[0], ms[ms.length - 1]);
    }
}
