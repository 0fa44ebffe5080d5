package io.vpccni.ipamd.hostnet;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides the one iptables-restore transaction that makes our part of iptables match a ruleset, from a dump.
 * Pure; {@link SnatReconciler} runs it.
 *
 * <p>What is ours: every chain named {@code AWS-SNAT-CHAIN-<n>} or {@code AWS-CONNMARK-CHAIN-<n>} (older
 * aws-vpc-cni versions chained one per CIDR; those are stale now), and in built-in chains every rule carrying
 * one of aws-vpc-cni's comments or jumping to one of those chains. Everything else in the dump is someone
 * else's and is never named in the payload, so {@code --noflush} leaves it as it is.
 *
 * <p>A table that differs is rewritten within one {@code *table ... COMMIT} block: declaring a chain creates or
 * flushes it, our built-in rules are deleted by their dumped text and appended again in order, stale chains
 * are flushed and deleted. iptables-restore applies each block atomically.
 */
public final class IptablesPlan {
    static final List<String> MANAGED_TABLES = List.of("nat", "mangle");
    private static final Set<String> BUILTIN_CHAINS = Set.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");
    private static final Pattern OUR_CHAIN = Pattern.compile("AWS-(SNAT|CONNMARK)-CHAIN-\\d+");
    private static final Pattern JUMP = Pattern.compile("(?:^| )-[jg] (\\S+)");
    private static final Pattern COMMENT = Pattern.compile("--comment (\"[^\"]*\"|\\S+)");
    private static final Set<String> OUR_COMMENTS = Set.of("AWS SNAT CHAIN", "AWS, SNAT", "AWS, outbound connections",
            "AWS, CONNMARK", "AWS, primary ENI");

    private IptablesPlan() {}

    public static Optional<String> payload(IptablesRuleset desired, IptablesDump current) {
        StringBuilder out = new StringBuilder();
        Set<String> tables = new LinkedHashSet<>(MANAGED_TABLES);
        tables.addAll(desired.tables().keySet());
        for (String table : tables) {
            tableBlock(desired.table(table), current.table(table)).ifPresent(out::append);
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out.toString());
    }

    static boolean isOurChain(String chain) {
        return OUR_CHAIN.matcher(chain).matches();
    }

    /** A rule in a built-in chain that aws-vpc-cni (or we) put there. */
    static boolean isOurBuiltinRule(String spec) {
        Matcher jump = JUMP.matcher(spec);
        if (jump.find() && isOurChain(jump.group(1))) {
            return true;
        }
        Matcher comment = COMMENT.matcher(spec);
        while (comment.find()) {
            String text = comment.group(1);
            if (text.startsWith("\"")) {
                text = text.substring(1, text.length() - 1);
            }
            if (OUR_COMMENTS.contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> tableBlock(IptablesRuleset.TableRules want, IptablesDump.Table have) {
        List<String> haveChains = have.chains().stream().filter(IptablesPlan::isOurChain).toList();
        Set<String> builtins = new LinkedHashSet<>(want.builtins().keySet());
        have.rules().stream().map(IptablesDump.RuleLine::chain).filter(BUILTIN_CHAINS::contains).forEach(builtins::add);

        boolean inSync = new LinkedHashSet<>(haveChains).equals(want.chains().keySet())
                && want.chains().entrySet().stream().allMatch(e -> have.rulesOf(e.getKey()).equals(e.getValue()))
                && builtins.stream().allMatch(c -> ourRules(have, c).equals(want.builtin(c)));
        if (inSync) {
            return Optional.empty();
        }

        List<String> stale = haveChains.stream().filter(c -> !want.chains().containsKey(c)).toList();
        List<String> lines = new ArrayList<>();
        lines.add("*" + have.name());
        want.chains().keySet().forEach(c -> lines.add(":" + c + " - [0:0]"));
        stale.forEach(c -> lines.add(":" + c + " - [0:0]"));
        for (String chain : builtins) {
            ourRules(have, chain).forEach(spec -> lines.add("-D " + chain + " " + spec));
        }
        stale.forEach(c -> lines.add("-X " + c));
        want.chains().forEach((chain, specs) -> specs.forEach(spec -> lines.add("-A " + chain + " " + spec)));
        want.builtins().forEach((chain, specs) -> specs.forEach(spec -> lines.add("-A " + chain + " " + spec)));
        lines.add("COMMIT");
        return Optional.of(String.join("\n", lines) + "\n");
    }

    private static List<String> ourRules(IptablesDump.Table have, String builtinChain) {
        return have.rulesOf(builtinChain).stream().filter(IptablesPlan::isOurBuiltinRule).toList();
    }
}
