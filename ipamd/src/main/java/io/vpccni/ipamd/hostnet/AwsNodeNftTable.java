package io.vpccni.ipamd.hostnet;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * aws-node's native nftables table, {@code table ip aws-cni}: on hosts whose iptables is the nft
 * flavour, recent aws-vpc-cni releases keep their connmark rules for SNAT there (a nat prerouting chain at
 * priority -90 that marks connections from {@code eni*} veths and copies the mark back onto
 * packets) instead of in iptables. We keep the same marks with iptables rules ({@link SnatRules});
 * left in place, aws-node's table would mark with its own exemption list, which stops following
 * ours. {@link #removeIfPresent} deletes it, and is meant to run after our rules are applied, so
 * connections already marked keep having their mark restored onto replies throughout: pods depend
 * on the conntrack marks, which deleting a table does not touch, and on the restore rule, which ours
 * provides.
 */
public final class AwsNodeNftTable {
    private static final System.Logger LOG = System.getLogger(AwsNodeNftTable.class.getName());

    /** The family and name aws-vpc-cni gives its table. */
    static final List<String> TABLE = List.of("ip", "aws-cni");

    private final List<String> commandPrefix;
    private final CommandRunner runner;

    /** @param commandPrefix prepended to every nft command ({@code ip netns exec NS} in tests), empty on a node */
    public AwsNodeNftTable(List<String> commandPrefix, CommandRunner runner) {
        this.commandPrefix = List.copyOf(commandPrefix);
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /**
     * @return the deletion, or no change when the host has no such table
     * @throws CommandRunner.CommandException when nft cannot run, or fails other than for a missing table
     */
    public Changes removeIfPresent() {
        CommandRunner.Result listed = nft("list", "table");
        if (!listed.ok()) {
            if (isMissingTable(listed.stderr())) {
                return Changes.none();
            }
            throw new CommandRunner.CommandException("nft list table " + String.join(" ", TABLE) + " failed (exit "
                    + listed.exit() + "): " + listed.stderr().strip());
        }
        CommandRunner.Result deleted = nft("delete", "table");
        if (!deleted.ok() && !isMissingTable(deleted.stderr())) {
            throw new CommandRunner.CommandException("nft delete table " + String.join(" ", TABLE) + " failed (exit "
                    + deleted.exit() + "): " + deleted.stderr().strip());
        }
        LOG.log(Level.INFO, "deleted aws-node''s nftables table {0}, which held:\n{1}", String.join(" ", TABLE),
                listed.stdout().strip());
        return new Changes(List.of("deleted aws-node's nftables table " + String.join(" ", TABLE)));
    }

    private CommandRunner.Result nft(String verb, String object) {
        List<String> command = new ArrayList<>(commandPrefix);
        command.add("nft");
        command.add(verb);
        command.add(object);
        command.addAll(TABLE);
        return runner.run(command, "");
    }

    /** nft's message for a table that does not exist (ENOENT from the kernel). */
    private static boolean isMissingTable(String stderr) {
        return stderr.contains("No such file or directory");
    }
}
