package io.vpccni.ipamd.hostnet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A throw-away namespace, {@code ip netns add vpccni-hn-<random>}; closing deletes it with everything the test
 * made inside (links, routes, rules, iptables). Tests never change the root namespace.
 */
final class TestNetns implements AutoCloseable {
    private final String name;

    private TestNetns(String name) {
        this.name = name;
    }

    static TestNetns create() {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        String name = "vpccni-hn-" + HexFormat.of().formatHex(random);
        run("ip", "netns", "add", name);
        TestNetns ns = new TestNetns(name);
        ns.ip("link", "set", "lo", "up");
        return ns;
    }

    static void assumePrivileged() {
        assumeTrue("root".equals(System.getProperty("user.name")), "privileged tests need root");
        assumeTrue(tryRun("ip", "-V").exit() == 0, "privileged tests need iproute2");
    }

    String name() {
        return name;
    }

    /** The prefix that makes a command run in this namespace. */
    List<String> execPrefix() {
        return List.of("ip", "netns", "exec", name);
    }

    /** {@code ip -n NAME args...}; fails the test on a non-zero exit. */
    String ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** Runs {@code command} inside the namespace; fails the test on a non-zero exit. */
    String exec(String... command) {
        List<String> cmd = new ArrayList<>(execPrefix());
        cmd.addAll(List.of(command));
        return run(cmd.toArray(String[]::new));
    }

    @Override
    public void close() {
        tryRun("ip", "netns", "del", name);
    }

    record Result(int exit, String output) {}

    static String run(String... command) {
        Result r = tryRun(command);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exit() + ": " + r.output());
        }
        return r.output();
    }

    static Result tryRun(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
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
}
