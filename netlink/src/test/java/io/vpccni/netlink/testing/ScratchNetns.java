package io.vpccni.netlink.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * A throw-away namespace, {@code ip netns add <prefix>-<random>} with lo up; closing deletes it, which also
 * removes every link, route, rule and iptables rule the test made in it. Tests never change the root namespace.
 */
public final class ScratchNetns implements AutoCloseable {
    private final String name;

    private ScratchNetns(String name) {
        this.name = name;
    }

    public static ScratchNetns create() {
        return create("vpccni-nltest");
    }

    /** A namespace named {@code <prefix>-<random>}, so a leftover tells which tests made it. */
    public static ScratchNetns create(String prefix) {
        byte[] random = new byte[3];
        ThreadLocalRandom.current().nextBytes(random);
        String name = prefix + "-" + HexFormat.of().formatHex(random);
        Shell.run("ip", "netns", "add", name);
        ScratchNetns ns = new ScratchNetns(name);
        ns.ip("link", "set", "lo", "up");
        return ns;
    }

    public String name() {
        return name;
    }

    public String path() {
        return "/var/run/netns/" + name;
    }

    public boolean exists() {
        return Files.exists(Path.of(path()));
    }

    /** The prefix that makes a command run in this namespace. */
    public List<String> execPrefix() {
        return List.of("ip", "netns", "exec", name);
    }

    /** {@code ip -n NAME args...}, trailing blanks of each line removed; fails the test on a non-zero exit. */
    public String ip(String... args) {
        return Shell.run(prefixed(List.of("ip", "-n", name), args)).lines().map(String::stripTrailing)
                .collect(Collectors.joining("\n"));
    }

    /** Runs a command inside the namespace and returns its exit status and output. */
    public Shell.Result exec(String... command) {
        return Shell.tryRun(prefixed(execPrefix(), command));
    }

    /** Runs a command inside the namespace, returns stdout; fails the test on a non-zero exit. */
    public String run(String... command) {
        return Shell.run(prefixed(execPrefix(), command));
    }

    /** Links, addresses, routes of all tables, rules and neighbours: to compare before and after. */
    public String snapshot() {
        return ip("-d", "link", "show") + "\n" + ip("addr") + "\n" + ip("route", "show", "table", "all") + "\n"
                + ip("rule") + "\n" + ip("neigh");
    }

    @Override
    public void close() {
        Shell.tryRun("ip", "netns", "del", name);
    }

    private static String[] prefixed(List<String> prefix, String... rest) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(rest));
        return cmd.toArray(String[]::new);
    }
}
