package io.vpccni.cni.testing;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * A namespace of our own, {@code vpccni-cni-<role>-<random>}; closing deletes it with everything
 * in it. The "node" one stands in for the host namespace, so the root namespace is never touched.
 */
public final class TestNetns implements AutoCloseable {
    private final String name;

    private TestNetns(String name) {
        this.name = name;
    }

    public static TestNetns create(String role) {
        byte[] random = new byte[3];
        ThreadLocalRandom.current().nextBytes(random);
        String name = "vpccni-cni-" + role + "-" + HexFormat.of().formatHex(random);
        Shell.run("ip", "netns", "add", name);
        Shell.run("ip", "-n", name, "link", "set", "lo", "up");
        return new TestNetns(name);
    }

    /** A node namespace with a "primary ENI" address on lo (pods reply to it) and forwarding on. */
    public static TestNetns node() {
        TestNetns n = create("node");
        n.ip("addr", "add", "10.0.0.254/32", "dev", "lo");
        n.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        return n;
    }

    public String name() {
        return name;
    }

    public String path() {
        return "/var/run/netns/" + name;
    }

    /** {@code ip -n NAME args...}, output with trailing blanks of each line removed. */
    public String ip(String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = name;
        System.arraycopy(args, 0, cmd, 3, args.length);
        return Shell.run(cmd).lines().map(String::stripTrailing).collect(Collectors.joining("\n"));
    }

    public Shell.Result exec(String... command) {
        String[] cmd = new String[command.length + 4];
        cmd[0] = "ip";
        cmd[1] = "netns";
        cmd[2] = "exec";
        cmd[3] = name;
        System.arraycopy(command, 0, cmd, 4, command.length);
        return Shell.exec(java.util.Map.of(), null, cmd);
    }

    /** Links, addresses, routes of all tables and rules: to compare before and after. */
    public String snapshot() {
        return ip("-d", "link", "show") + "\n" + ip("addr") + "\n" + ip("route", "show", "table", "all") + "\n"
                + ip("rule") + "\n" + ip("neigh");
    }

    public boolean exists() {
        return java.nio.file.Files.exists(java.nio.file.Path.of(path()));
    }

    @Override
    public void close() {
        Shell.exec(java.util.Map.of(), null, "ip", "netns", "del", name);
    }
}
