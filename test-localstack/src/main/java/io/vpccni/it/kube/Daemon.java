package io.vpccni.it.kube;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One long-running program of Kubernetes in the box (etcd, an API server, a kubelet...), started already inside its
 * namespaces ({@code nsenter} execs the program, so the process is the program itself), its output appended to a
 * log file. Closing sends SIGTERM and, after {@code grace}, SIGKILL.
 */
public final class Daemon implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final long graceSeconds;

    private Daemon(String name, Process process, Path log, long graceSeconds) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.graceSeconds = graceSeconds;
    }

    public static Daemon start(String name, List<String> command, Map<String, String> env, Path log,
                               long graceSeconds) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return new Daemon(name, builder.start(), log, graceSeconds);
    }

    /** {@code nsenter --net=NETNS -- COMMAND...}: in a network namespace, in this process's mount namespace. */
    public static List<String> inNetns(Path netns, List<String> command) {
        List<String> full = new java.util.ArrayList<>(List.of("nsenter", "--net=" + netns, "--"));
        full.addAll(command);
        return full;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** Throws, with the end of its log, when the program has exited. */
    public void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited " + process.exitValue() + ":\n" + tail(30));
        }
    }

    /** The last {@code lines} lines of the program's log. */
    public String tail(int lines) {
        try {
            List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
