package io.vpccni.ipamd.hostnet;

import io.vpccni.ipamd.config.SnatRandomization;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.testing.ScratchNamespaces;
import io.vpccni.netlink.testing.ScratchNetns;
import io.vpccni.netlink.testing.Shell;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** aws-node's nftables table removed from a namespace that also holds our iptables-nft SNAT and connmark rules. */
@Tag("privileged")
class AwsNodeNftTablePrivilegedTest {
    private static final CommandRunner RUNNER = CommandRunner.processes(Duration.ofSeconds(30));
    /** What aws-vpc-cni v1.21 leaves on an nft host with the default veth prefix and connmark (its own doc comment). */
    private static final String AWS_NODE_TABLE = """
            table ip aws-cni {
                chain nat-prerouting {
                    type nat hook prerouting priority -90; policy accept;
                    fib daddr type local return
                    iifname "eni*" counter jump snat-mark
                    ct mark & 0x80 == 0x0 counter meta mark set meta mark & 0xffffff7f
                    ct mark & 0x80 == 0x80 counter meta mark set meta mark | 0x80
                }
                chain snat-mark {
                    counter ip daddr 10.0.0.0/16 return
                    counter ct mark set ct mark | 0x80
                }
            }
            """;

    @RegisterExtension
    final ScratchNamespaces namespaces = new ScratchNamespaces("vpccni-nft");

    private ScratchNetns node;

    @BeforeEach
    void namespace() {
        node = namespaces.create();
    }

    private AwsNodeNftTable table() {
        return new AwsNodeNftTable(node.execPrefix(), RUNNER);
    }

    private void applyOurSnatRules() {
        IptablesRestore iptables = new IptablesRestore(node.execPrefix(),
                new IptablesTool(IptablesTool.Backend.NFT, 1, 8, 9), RUNNER);
        new SnatReconciler(iptables).reconcile(new SnatSettings(List.of(IpPrefix.parse("10.0.0.0/16")), List.of(),
                Ipv4Address.parse("10.0.0.10").toInet(), "eth0", SnatRandomization.PRNG, false, true, 0x80, "eni"));
    }

    /** Both tables' rules, without packet counters and the "# Generated/Completed on <time>" comment lines. */
    private String iptablesSave() {
        return (node.run("iptables-nft-save", "-t", "nat") + node.run("iptables-nft-save", "-t", "mangle"))
                .replaceAll("(?m)^#.*\\n", "").replaceAll("\\[\\d+:\\d+\\]", "");
    }

    @Test
    void removesAwsNodesTableAndKeepsOurConnmarkRules() {
        applyOurSnatRules();
        Shell.exec(java.util.Map.of(), AWS_NODE_TABLE.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                prefixed("nft", "-f", "-"));
        assertThat(node.run("nft", "list", "tables")).contains("table ip aws-cni");
        String ours = iptablesSave();

        Changes changes = table().removeIfPresent();

        assertThat(changes.actions()).containsExactly("deleted aws-node's nftables table ip aws-cni");
        assertThat(node.run("nft", "list", "tables")).doesNotContain("aws-cni").contains("table ip nat");
        assertThat(iptablesSave()).isEqualTo(ours)
                .contains("-j CONNMARK --restore-mark --nfmask 0x80 --ctmask 0x80");
        assertThat(table().removeIfPresent().isNoop()).isTrue();
    }

    @Test
    void aHostWithoutTheTableIsLeftAsItWas() {
        applyOurSnatRules();
        String before = node.run("nft", "list", "ruleset");

        assertThat(table().removeIfPresent().isNoop()).isTrue();
        assertThat(node.run("nft", "list", "ruleset")).isEqualTo(before);
    }

    @Test
    void anNftFailureOtherThanAMissingTableIsReportedWithNftsMessage() {
        AwsNodeNftTable broken = new AwsNodeNftTable(List.of(),
                (command, stdin) -> new CommandRunner.Result(1, "", "Error: Could not process rule: Operation not permitted\n"));

        assertThatThrownBy(broken::removeIfPresent).isInstanceOf(CommandRunner.CommandException.class)
                .hasMessage("nft list table ip aws-cni failed (exit 1): Error: Could not process rule: Operation not permitted");
    }

    private String[] prefixed(String... command) {
        List<String> all = new java.util.ArrayList<>(node.execPrefix());
        all.addAll(List.of(command));
        return all.toArray(String[]::new);
    }
}
