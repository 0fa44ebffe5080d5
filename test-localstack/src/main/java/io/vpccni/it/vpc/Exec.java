package io.vpccni.it.vpc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a short command (iproute2, cnitool, the plugin) to completion and captures what it printed. */
public final class Exec {

    public record Result(List<String> command, int exit, String stdout, String stderr) {
        public boolean ok() {
            return exit == 0;
        }

        /** Throws with everything the command printed unless it exited 0. */
        public Result orThrow() {
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + exit + ": "
                        + (stderr.isBlank() ? stdout : stderr).strip());
            }
            return this;
        }
    }

    private Exec() {}

    public static Result run(String... command) {
        return run(Map.of(), null, List.of(command));
    }

    public static Result run(Map<String, String> env, String stdin, List<String> command) {
        return run(env, stdin, command, Duration.ofSeconds(60));
    }

    /** As {@link #run(Map, String, List)} for a longer command (an image build), without input. */
    public static Result runFor(Map<String, String> env, List<String> command, Duration timeout) {
        return run(env, null, command, timeout);
    }

    private static Result run(Map<String, String> env, String stdin, List<String> command, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            // Read both streams concurrently: a chatty stderr must not block the process on a full pipe. A
            // short-lived platform thread, not a pool: a pool thread created here could end up in a namespace.
            CompletableFuture<String> err = new CompletableFuture<>();
            Thread.ofPlatform().daemon(true).start(() -> err.complete(drain(process, true)));
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            String out = drain(process, false);
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in "
                        + timeout.toSeconds() + " s");
            }
            return new Result(command, process.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }

    private static String drain(Process process, boolean stderr) {
        try (var in = stderr ? process.getErrorStream() : process.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
