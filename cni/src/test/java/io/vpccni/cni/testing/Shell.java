package io.vpccni.cni.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs iproute2, cnitool and the packaged plugin for the privileged tests. */
public final class Shell {
    private Shell() {}

    public record Result(int exit, String stdout, String stderr) {}

    public static String run(String... command) {
        Result r = exec(Map.of(), null, command);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exit() + ": " + r.stdout() + r.stderr());
        }
        return r.stdout();
    }

    public static Result exec(Map<String, String> env, byte[] stdin, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(List.of(command));
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().write(stdin == null ? new byte[0] : stdin);
            p.getOutputStream().close();
            var err = p.errorReader();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String errText = String.join("\n", err.lines().toList());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " timed out");
            }
            return new Result(p.exitValue(), out, errText);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Skips privileged tests where they cannot run: not root, or no iproute2. */
    public static void assumePrivileged() {
        assumeTrue("root".equals(System.getProperty("user.name")), "privileged tests need root");
        assumeTrue(exec(Map.of(), null, "ip", "-V").exit() == 0, "privileged tests need iproute2");
    }
}
