package io.vpccni.netlink.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs iproute2 and friends for the privileged tests. */
public final class Shell {
    private Shell() {}

    /** Runs a command, returns stdout; fails the test on a non-zero exit. */
    public static String run(String... command) {
        Result r = tryRun(command);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exit() + ": " + r.output());
        }
        return r.output();
    }

    public record Result(int exit, String output) {}

    /** Runs a command and returns its exit status with stdout and stderr merged. */
    public static Result tryRun(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " timed out");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Skips (rather than fails) privileged tests where they cannot run: not root, or no iproute2. */
    public static void assumePrivileged() {
        assumeTrue("root".equals(System.getProperty("user.name")), "privileged tests need root");
        assumeTrue(tryRun("ip", "-V").exit() == 0, "privileged tests need iproute2");
    }
}
