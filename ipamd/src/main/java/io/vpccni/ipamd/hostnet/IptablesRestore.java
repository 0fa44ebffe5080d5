package io.vpccni.ipamd.hostnet;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads iptables with iptables-save and changes it with {@code iptables-restore --noflush}, with the backend's own
 * binaries. Every command is run behind {@code commandPrefix}: empty in production (the daemon's own namespace),
 * {@code ip netns exec <ns>} in tests, which must never touch the root namespace's iptables.
 */
public final class IptablesRestore {
    /** Seconds to wait for the xtables lock that a concurrent kube-proxy may hold. */
    private static final String LOCK_WAIT_SECONDS = "5";

    private final List<String> commandPrefix;
    private final IptablesTool tool;
    private final CommandRunner runner;

    public IptablesRestore(List<String> commandPrefix, IptablesTool tool, CommandRunner runner) {
        this.commandPrefix = List.copyOf(commandPrefix);
        this.tool = Objects.requireNonNull(tool, "tool");
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /** Asks {@code iptables --version} which backend and version the host has. */
    public static IptablesRestore detect(List<String> commandPrefix, CommandRunner runner) {
        List<String> command = with(commandPrefix, "iptables", "--version");
        CommandRunner.Result r = runner.run(command, "");
        if (!r.ok()) {
            throw failure(command, r);
        }
        return new IptablesRestore(commandPrefix, IptablesTool.parseVersion(r.stdout() + r.stderr()), runner);
    }

    public IptablesTool tool() {
        return tool;
    }

    /** The whole of iptables (all tables), as iptables-save prints it. */
    public String save() {
        List<String> command = with(commandPrefix, tool.saveBinary());
        CommandRunner.Result r = runner.run(command, "");
        if (!r.ok()) {
            throw failure(command, r);
        }
        return r.stdout();
    }

    /** Applies {@code payload} without flushing what it does not name; each table block is atomic. */
    public void restore(String payload) {
        List<String> command = with(commandPrefix, tool.restoreBinary(), "--noflush", "-w", LOCK_WAIT_SECONDS);
        CommandRunner.Result r = runner.run(command, payload);
        if (!r.ok()) {
            throw new CommandRunner.CommandException(String.join(" ", command) + " exited " + r.exit() + ": "
                    + r.stderr().strip() + "\npayload:\n" + payload);
        }
    }

    private static List<String> with(List<String> prefix, String... command) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(List.of(command));
        return all;
    }

    private static CommandRunner.CommandException failure(List<String> command, CommandRunner.Result r) {
        return new CommandRunner.CommandException(String.join(" ", command) + " exited " + r.exit() + ": "
                + r.stderr().strip());
    }
}
