package io.vpccni.netlink.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs iproute2 and friends for the privileged tests of every module (published in netlink's test-jar): one way to
 * run a command, fail the test on a non-zero exit, and skip where the tests cannot run.
 */
public final class Shell {
    private static final long TIMEOUT_SECONDS = 60;

    private Shell() {}

    public record Result(int exit, String stdout, String stderr) {
        /** Stdout then stderr, for messages and for commands that report on either. */
        public String output() {
            return stdout + stderr;
        }
    }

    /** Runs a command, returns stdout; fails the test on a non-zero exit. */
    public static String run(String... command) {
        Result r = tryRun(command);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exit() + ": " + r.output());
        }
        return r.stdout();
    }

    /** Runs a command with nothing on stdin and returns its exit status and output. */
    public static Result tryRun(String... command) {
        return exec(Map.of(), null, command);
    }

    /** Runs a command with extra environment variables and {@code stdin} (null: none). */
    public static Result exec(Map<String, String> env, byte[] stdin, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(List.of(command));
            pb.environment().putAll(env);
            Process p = pb.start();
            // stderr is drained beside stdout, so a chatty command cannot block on a full pipe.
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            p.getOutputStream().write(stdin == null ? new byte[0] : stdin);
            p.getOutputStream().close();
            String out = readAll(p.getInputStream());
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " timed out");
            }
            return new Result(p.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Privileged tests need root and iproute2; see {@link #require} for what happens without them. */
    public static void assumePrivileged() {
        require("root".equals(System.getProperty("user.name")), "privileged tests need root");
        require(tryRun("ip", "-V").exit() == 0, "privileged tests need iproute2");
    }

    /**
     * A precondition a test cannot run without (root, a tool, the packaged plugin). On a developer's
     * machine an unmet one skips the test with {@code reason}; under {@code ./vpc-cni test} (which CI
     * runs, and which installs and builds everything first; it sets VPCCNI_REQUIRE_ALL_TESTS=1) it fails
     * the test, so nothing CI can run is skipped there unseen.
     */
    public static void require(boolean met, String reason) {
        if (!met && "1".equals(System.getenv("VPCCNI_REQUIRE_ALL_TESTS"))) {
            throw new AssertionError(reason + " (VPCCNI_REQUIRE_ALL_TESTS=1: a skip here would hide a missing install step)");
        }
        assumeTrue(met, reason);
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
