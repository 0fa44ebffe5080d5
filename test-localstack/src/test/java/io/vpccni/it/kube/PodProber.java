package io.vpccni.it.kube;

import io.vpccni.it.vpc.Exec;
import io.vpccni.policy.endpoint.Protocol;
import io.vpccni.policy.resolve.Reach;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Probes from inside pods of the matrix without kubectl exec: the test JVM finds each pod's server process
 * ({@code netpol-server serve}, test-localstack/image/netpol-server) by the address of its network namespace and runs
 * the same binary, from the container's root, in that namespace ({@code nsenter -t PID -n}). One prober process per
 * source pod tries all its targets at once with a short time-out.
 */
final class PodProber {

    /** What one probe saw: connected (or echoed), refused (reachable, nothing listening), or nothing (dropped). */
    enum Outcome { OK, REFUSED, TIMEOUT, ERROR }

    private final Map<String, Long> pidByIp;

    private PodProber(Map<String, Long> pidByIp) {
        this.pidByIp = Map.copyOf(pidByIp);
    }

    /** The server processes on this machine by their pod's address; the pods' containers must be running. */
    static PodProber find() throws IOException {
        Map<String, Long> byIp = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String cmdline;
                try {
                    cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ').strip();
                } catch (IOException gone) {
                    continue;
                }
                if (!cmdline.equals("/netpol-server serve")) {
                    continue;
                }
                long pid = Long.parseLong(proc.getFileName().toString());
                Exec.Result addr = Exec.run(Map.of(), null, List.of("nsenter", "-t", Long.toString(pid), "-n", "ip",
                        "-4", "-o", "addr", "show", "scope", "global"));
                if (!addr.ok()) {
                    continue;
                }
                addr.stdout().lines().map(l -> l.split("\\s+")).filter(f -> f.length > 3)
                        .forEach(f -> byIp.put(f[3].substring(0, f[3].indexOf('/')), pid));
            }
        }
        return new PodProber(byIp);
    }

    boolean knows(String ip) {
        return pidByIp.containsKey(ip);
    }

    /** From the pod at {@code fromIp}: each target (address, port) probed at once; outcomes in the targets' order. */
    List<Outcome> probe(String fromIp, List<Target> targets, int timeoutMillis) {
        long pid = pid(fromIp);
        List<String> command = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n",
                "/proc/" + pid + "/root/netpol-server", "probe", Integer.toString(timeoutMillis)));
        targets.forEach(t -> command.add(t.spec()));
        Exec.Result result = Exec.run(Map.of(), null, command).orThrow();
        List<String> lines = result.stdout().lines().toList();
        if (lines.size() != targets.size()) {
            throw new IllegalStateException("the prober in " + fromIp + " answered " + lines.size() + " lines for "
                    + targets.size() + " targets: " + result.stdout() + result.stderr());
        }
        List<Outcome> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] fields = lines.get(i).split(" ");
            if (!fields[0].equals(targets.get(i).spec())) {
                throw new IllegalStateException("the prober answered " + lines.get(i) + " for " + targets.get(i));
            }
            out.add(Outcome.valueOf(fields[1].toUpperCase(java.util.Locale.ROOT)));
        }
        return out;
    }

    /** Every source at once: the outcomes by source address. */
    Map<String, List<Outcome>> probeAll(Map<String, List<Target>> targetsBySource, int timeoutMillis) {
        Map<String, CompletableFuture<List<Outcome>>> running = new HashMap<>();
        targetsBySource.forEach((from, targets) -> {
            CompletableFuture<List<Outcome>> f = new CompletableFuture<>();
            // Platform threads: the probes run in child processes, the JVM's threads stay in its namespace.
            Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    f.complete(probe(from, targets, timeoutMillis));
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
            running.put(from, f);
        });
        Map<String, List<Outcome>> out = new HashMap<>();
        running.forEach((from, f) -> out.put(from, f.join()));
        return out;
    }

    /** A TCP connection held open from the pod at {@code fromIp}, echoing a line on demand. */
    Held hold(String fromIp, String toIp, int port) throws IOException {
        long pid = pid(fromIp);
        Process process = new ProcessBuilder("nsenter", "-t", Long.toString(pid), "-n",
                "/proc/" + pid + "/root/netpol-server", "hold", toIp, Integer.toString(port))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Held held = new Held(process);
        String first = held.out.readLine();
        if (!"connected".equals(first)) {
            held.close();
            throw new IllegalStateException(fromIp + " could not connect to " + toIp + ":" + port + ": " + first);
        }
        return held;
    }

    private long pid(String ip) {
        Long pid = pidByIp.get(ip);
        if (pid == null) {
            throw new IllegalArgumentException("no netpol-server process in a namespace with address " + ip
                    + " (known: " + pidByIp.keySet() + ")");
        }
        return pid;
    }

    record Target(String ip, Reach.Probe.Port port) {
        String spec() {
            return (port.protocol() == Protocol.UDP ? "udp:" : "tcp:") + ip + ":" + port.number();
        }
    }

    static final class Held implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final Writer in;

        private Held(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        /** True when a line sent on the connection came back (the prober waits 2 s for it). */
        boolean echoes(String line) throws IOException {
            in.write(line + "\n");
            in.flush();
            return "ok".equals(out.readLine());
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException ignored) {
                // the process is destroyed below anyway
            }
            process.destroy();
        }
    }
}
