package io.vpccni.it.vpc;

import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.StatusOk;
import io.vpccni.rpc.message.StatusRequest;
import io.vpccni.rpc.transport.IpamClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The production daemon ({@code io.vpccni.ipamd.app.Main}, kernel host networking included) as a child process
 * inside a node's namespace, started with {@code ip netns exec}: its ENI links, rules, routes, sysctls and iptables
 * all land in that namespace. Its output goes to {@code ipamd.out} in the node's directory.
 */
public final class IpamdProcess implements AutoCloseable {

    static final String MAIN = "io.vpccni.ipamd.app.Main";

    private final Namespace ns;
    private final Map<String, String> env;
    private final Path log;
    private Process process;
    private volatile long execNanos;

    IpamdProcess(Namespace ns, Map<String, String> env, Path log) {
        this.ns = ns;
        this.env = Map.copyOf(env);
        this.log = log;
    }

    /** Where the image's JVM flags for ipamd are, from the repository's root. */
    public static final String JVM_FLAGS_FILE = "deploy/image/ipamd.jvm-flags";
    /** Flags a benchmark adds to the image's (a candidate flag, Native Memory Tracking), through this property. */
    public static final String EXTRA_FLAGS_PROPERTY = "vpccni.ipamd.extraJvmFlags";
    /**
     * The daemon's class path when a benchmark sets it (jars only, at a path that stays the same from run to run, as
     * an AOT cache needs); this JVM's class path otherwise.
     */
    public static final String CLASS_PATH_PROPERTY = "vpccni.ipamd.classPath";

    /**
     * The daemon's JVM flags: the image's, from {@value #JVM_FLAGS_FILE} found from the working directory up (the
     * launcher in the image reads the same file), then those of {@value #EXTRA_FLAGS_PROPERTY}.
     */
    public static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>(flagsFileWords().stream().filter(w -> w.startsWith("-")).toList());
        String extra = System.getProperty(EXTRA_FLAGS_PROPERTY, "").strip();
        if (!extra.isEmpty()) {
            flags.addAll(List.of(extra.split("\\s+")));
        }
        return List.copyOf(flags);
    }

    /** The environment variables {@value #JVM_FLAGS_FILE} sets for the JVM (its NAME=VALUE words), as the launcher does. */
    public static Map<String, String> jvmEnvironment() {
        Map<String, String> environment = new java.util.LinkedHashMap<>();
        for (String word : flagsFileWords()) {
            if (!word.startsWith("-")) {
                environment.put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
            }
        }
        return environment;
    }

    /** The words of {@value #JVM_FLAGS_FILE}: JVM flags (-...) and NAME=VALUE; anything else is refused. */
    private static List<String> flagsFileWords() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve(JVM_FLAGS_FILE))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(JVM_FLAGS_FILE + " not found above " + Path.of("").toAbsolutePath());
        }
        List<String> words = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(dir.resolve(JVM_FLAGS_FILE))) {
                String text = line.replaceAll("#.*", "").strip();
                if (!text.isEmpty()) {
                    words.addAll(List.of(text.split("\\s+")));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading " + dir.resolve(JVM_FLAGS_FILE), e);
        }
        for (String word : words) {
            if (!word.startsWith("-") && !word.matches("[A-Z][A-Z0-9_]*=.*")) {
                throw new IllegalStateException("'" + word + "' in " + dir.resolve(JVM_FLAGS_FILE)
                        + " is neither a JVM flag nor NAME=VALUE");
            }
        }
        return words;
    }

    /** {@code java [flags] -cp <class path> <main> ARGS...}, to run inside a namespace. */
    static List<String> javaCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmFlags());
        String classPath = System.getProperty(CLASS_PATH_PROPERTY, "").strip();
        command.addAll(List.of("-cp", classPath.isEmpty() ? System.getProperty("java.class.path") : classPath, MAIN));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Starts the daemon and waits until it answers "ready" on its socket. Before that, checks that
     * {@code ip netns exec} really puts a process in the node's namespace here, and afterwards that the daemon
     * itself is there: a daemon in the root namespace would rewrite the machine's routes and iptables.
     */
    public IpamdProcess start(Duration timeout) throws IOException, InterruptedException {
        String seen = ns.exec(Map.of(), null, List.of("readlink", "/proc/self/ns/net")).orThrow().stdout().strip();
        if (!seen.equals("net:[" + ns.inode() + "]")) {
            throw new IllegalStateException("ip netns exec " + ns + " ran in " + seen + ", not in net:[" + ns.inode()
                    + "]; not starting ipamd");
        }
        ProcessBuilder builder = new ProcessBuilder(ns.inside(javaCommand("ipamd")));
        builder.environment().putAll(jvmEnvironment());
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        execNanos = System.nanoTime();
        process = builder.start();
        awaitReady(timeout);
        if (!ns.contains(process.pid())) {
            process.destroyForcibly();
            throw new IllegalStateException("ipamd (pid " + process.pid() + ") is not in " + ns + "; killed it");
        }
        return this;
    }

    /** System.nanoTime() just before the last start's exec, for start-up benchmarks. */
    public long execNanos() {
        return execNanos;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** {@code ipamd status} run inside the node, as a person at the node would; its output and exit code. */
    public Exec.Result status() {
        Map<String, String> all = new java.util.HashMap<>(jvmEnvironment());
        all.putAll(env);
        return ns.exec(all, null, javaCommand("status"));
    }

    /** SIGKILL, as a crash would. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        Path socket = Path.of(env.get("VPC_CNI_SOCKET"));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("ipamd in " + ns + " exited " + process.exitValue() + ":\n" + tail());
            }
            if (Files.exists(socket)) {
                try {
                    IpamReply status = new IpamClient(socket, Duration.ofSeconds(2)).call(new StatusRequest());
                    if (status instanceof StatusOk ok && ok.ready()) {
                        return;
                    }
                } catch (Exception notYet) {
                    // not accepting yet
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("ipamd in " + ns + " not ready after " + timeout.toSeconds() + " s:\n" + tail());
    }

    /** The end of the process's output, and of its log file (AWS_VPC_K8S_CNI_LOG_FILE) when it writes one. */
    String tail() throws IOException {
        String out = tail(log);
        String file = env.getOrDefault("AWS_VPC_K8S_CNI_LOG_FILE", "stdout");
        return file.startsWith("/") ? out + "\n--- " + file + ":\n" + tail(Path.of(file)) : out;
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
    }

    /** SIGTERM (the daemon's shutdown hook closes it cleanly), SIGKILL if it is still there after 10 s. */
    @Override
    public void close() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
