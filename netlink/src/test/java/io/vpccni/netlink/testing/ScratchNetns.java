package io.vpccni.netlink.testing;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A throw-away namespace made with {@code ip netns add vpccni-nltest-<random>}; closing deletes
 * it, which also removes every link, route and rule the test made in it.
 */
public final class ScratchNetns implements AutoCloseable {
    private final String name;

    private ScratchNetns(String name) {
        this.name = name;
    }

    public static ScratchNetns create() {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        String name = "vpccni-nltest-" + HexFormat.of().formatHex(random);
        Shell.run("ip", "netns", "add", name);
        return new ScratchNetns(name);
    }

    public String name() {
        return name;
    }

    /** Runs {@code ip -n NAME args...} and returns its output. */
    public String ip(String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = name;
        System.arraycopy(args, 0, cmd, 3, args.length);
        return Shell.run(cmd);
    }

    /** Runs a command inside the namespace via {@code ip netns exec}. */
    public Shell.Result exec(String... command) {
        String[] cmd = new String[command.length + 4];
        cmd[0] = "ip";
        cmd[1] = "netns";
        cmd[2] = "exec";
        cmd[3] = name;
        System.arraycopy(command, 0, cmd, 4, command.length);
        return Shell.tryRun(cmd);
    }

    @Override
    public void close() {
        Shell.tryRun("ip", "netns", "del", name);
    }
}
