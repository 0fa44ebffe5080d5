package io.vpccni.ipamd.hostnet;

import io.vpccni.ipamd.config.SnatRandomization;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.testing.ScratchNamespaces;
import io.vpccni.netlink.testing.ScratchNetns;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** SNAT and connmark rules applied with the real iptables inside a namespace, read back with iptables-save. */
@Tag("privileged")
class SnatIptablesPrivilegedTest {
    private static final CommandRunner RUNNER = CommandRunner.processes(Duration.ofSeconds(30));

    @RegisterExtension
    final ScratchNamespaces namespaces = new ScratchNamespaces("vpccni-hn");

    private ScratchNetns node;

    @BeforeEach
    void namespace() {
        node = namespaces.create();
    }

    private IptablesRestore iptables(IptablesTool.Backend backend) {
        return new IptablesRestore(node.execPrefix(), new IptablesTool(backend, 1, 8, 9), RUNNER);
    }

    private static SnatSettings settings(SnatRandomization mode, boolean externalSnat, String... excluded) {
        return new SnatSettings(List.of(IpPrefix.parse("10.0.0.0/16"), IpPrefix.parse("100.64.0.0/16")),
                java.util.Arrays.stream(excluded).map(IpPrefix::parse).toList(), Ipv4Address.parse("10.0.0.10").toInet(), "eth0",
                mode, externalSnat, true, 0x80, "eni");
    }

    /** iptables-save without its timestamps and packet counters. */
    private String saved(IptablesTool.Backend backend) {
        return iptables(backend).save().lines().filter(l -> !l.startsWith("#"))
                .map(l -> l.replaceAll("\\[\\d+:\\d+\\]", "[0:0]")).reduce("", (a, b) -> a + b + "\n");
    }

    @ParameterizedTest
    @EnumSource(value = IptablesTool.Backend.class, names = {"NFT", "LEGACY"})
    void appliesTheRulesAndASecondReconcileIsANoop(IptablesTool.Backend backend) {
        SnatReconciler reconciler = new SnatReconciler(iptables(backend));

        assertThat(reconciler.reconcile(settings(SnatRandomization.PRNG, false, "192.168.0.0/16")).isNoop()).isFalse();
        String first = saved(backend);

        assertThat(first).contains(
                "-A POSTROUTING -m comment --comment \"AWS SNAT CHAIN\" -j AWS-SNAT-CHAIN-0",
                "-A AWS-SNAT-CHAIN-0 -d 10.0.0.0/16 -m comment --comment \"AWS SNAT CHAIN\" -j RETURN",
                "-A AWS-SNAT-CHAIN-0 -d 100.64.0.0/16 -m comment --comment \"AWS SNAT CHAIN\" -j RETURN",
                "-A AWS-SNAT-CHAIN-0 -d 192.168.0.0/16 -m comment --comment \"AWS SNAT CHAIN EXCLUSION\" -j RETURN",
                "-A AWS-SNAT-CHAIN-0 ! -o vlan+ -m comment --comment \"AWS, SNAT\" -m addrtype ! --dst-type LOCAL -j SNAT --to-source 10.0.0.10 --random-fully",
                "-A PREROUTING -i eni+ -m comment --comment \"AWS, outbound connections\" -j AWS-CONNMARK-CHAIN-0",
                "-A AWS-CONNMARK-CHAIN-0 -d 192.168.0.0/16 -m comment --comment \"AWS CONNMARK CHAIN\" -j RETURN",
                "-A AWS-CONNMARK-CHAIN-0 -m comment --comment \"AWS, CONNMARK\" -j CONNMARK --set-xmark 0x80/0x80",
                "-A PREROUTING -i eth0 -m comment --comment \"AWS, primary ENI\" -m addrtype --dst-type LOCAL --limit-iface-in -j CONNMARK --set-xmark 0x80/0x80",
                "-A PREROUTING -i eni+ -m comment --comment \"AWS, primary ENI\" -j CONNMARK --restore-mark --nfmask 0x80 --ctmask 0x80");

        assertThat(reconciler.reconcile(settings(SnatRandomization.PRNG, false, "192.168.0.0/16")).actions()).isEmpty();
        assertThat(saved(backend)).isEqualTo(first);
    }

    @ParameterizedTest
    @EnumSource(value = IptablesTool.Backend.class, names = {"NFT", "LEGACY"})
    void randomizationModesGiveTheirFlags(IptablesTool.Backend backend) {
        SnatReconciler reconciler = new SnatReconciler(iptables(backend));

        reconciler.reconcile(settings(SnatRandomization.HASHRANDOM, false));
        assertThat(saved(backend)).contains("-j SNAT --to-source 10.0.0.10 --random\n");

        reconciler.reconcile(settings(SnatRandomization.NONE, false));
        assertThat(saved(backend)).contains("-j SNAT --to-source 10.0.0.10\n").doesNotContain("--random");

        SnatReconciler old = new SnatReconciler(new IptablesRestore(node.execPrefix(),
                new IptablesTool(backend, 1, 6, 1), RUNNER));
        old.reconcile(settings(SnatRandomization.PRNG, false));
        assertThat(saved(backend)).contains("-j SNAT --to-source 10.0.0.10 --random\n").doesNotContain("--random-fully");
    }

    @ParameterizedTest
    @EnumSource(value = IptablesTool.Backend.class, names = {"NFT", "LEGACY"})
    void externalSnatOnRemovesSnatAndConnmarkAndOffRestoresThem(IptablesTool.Backend backend) {
        SnatReconciler reconciler = new SnatReconciler(iptables(backend));
        reconciler.reconcile(settings(SnatRandomization.PRNG, false));
        String internal = saved(backend);

        reconciler.reconcile(settings(SnatRandomization.PRNG, true));
        String external = saved(backend);
        assertThat(external).doesNotContain("AWS-SNAT-CHAIN", "AWS-CONNMARK-CHAIN", "AWS, CONNMARK", "AWS SNAT CHAIN")
                .contains("-A PREROUTING -i eth0 -m comment --comment \"AWS, primary ENI\"");
        assertThat(reconciler.reconcile(settings(SnatRandomization.PRNG, true)).isNoop()).isTrue();

        reconciler.reconcile(settings(SnatRandomization.PRNG, false));
        assertThat(saved(backend)).isEqualTo(internal);
    }

    @ParameterizedTest
    @EnumSource(value = IptablesTool.Backend.class, names = {"NFT", "LEGACY"})
    void aRestartCleansStaleChainsOfOursAndKeepsEveryoneElses(IptablesTool.Backend backend) {
        // What an older aws-node (one chain per CIDR) and kube-proxy might have left behind.
        iptables(backend).restore("""
                *nat
                :AWS-SNAT-CHAIN-0 - [0:0]
                :AWS-SNAT-CHAIN-1 - [0:0]
                :AWS-CONNMARK-CHAIN-0 - [0:0]
                :AWS-CONNMARK-CHAIN-1 - [0:0]
                :FOO - [0:0]
                -A PREROUTING -i eni+ -m comment --comment "AWS, outbound connections" -m state --state NEW -j AWS-CONNMARK-CHAIN-0
                -A POSTROUTING -m comment --comment "AWS SNAT CHAIN" -j AWS-SNAT-CHAIN-0
                -A POSTROUTING -j FOO
                -A AWS-SNAT-CHAIN-0 ! -d 10.0.0.0/16 -m comment --comment "AWS SNAT CHAIN" -j AWS-SNAT-CHAIN-1
                -A AWS-SNAT-CHAIN-1 ! -o vlan+ -m comment --comment "AWS, SNAT" -m addrtype ! --dst-type LOCAL -j SNAT --to-source 10.0.0.99
                -A AWS-CONNMARK-CHAIN-0 ! -d 10.0.0.0/16 -m comment --comment "AWS CONNMARK CHAIN, VPC CIDR" -j AWS-CONNMARK-CHAIN-1
                -A AWS-CONNMARK-CHAIN-1 -m comment --comment "AWS, CONNMARK" -j CONNMARK --set-xmark 0x80/0x80
                -A FOO -d 1.2.3.4/32 -j RETURN
                COMMIT
                *filter
                :KUBE-FORWARD - [0:0]
                -A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
                COMMIT
                """);
        SnatReconciler reconciler = new SnatReconciler(iptables(backend));

        reconciler.reconcile(settings(SnatRandomization.PRNG, false));

        String after = saved(backend);
        assertThat(after).doesNotContain("AWS-SNAT-CHAIN-1", "AWS-CONNMARK-CHAIN-1", "10.0.0.99", "--state NEW")
                .contains(":FOO - [0:0]", "-A POSTROUTING -j FOO", "-A FOO -d 1.2.3.4/32 -j RETURN",
                        "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD",
                        "-A AWS-SNAT-CHAIN-0 -d 10.0.0.0/16 -m comment --comment \"AWS SNAT CHAIN\" -j RETURN");
        assertThat(reconciler.reconcile(settings(SnatRandomization.PRNG, false)).isNoop()).isTrue();
    }

    @Test
    void detectsTheBackendTheNamespacesIptablesUses() {
        IptablesRestore detected = IptablesRestore.detect(node.execPrefix(), RUNNER);

        String version = node.run("iptables", "--version");
        assertThat(detected.tool().backend()).isEqualTo(
                version.contains("nf_tables") ? IptablesTool.Backend.NFT : IptablesTool.Backend.LEGACY);
        new SnatReconciler(detected).reconcile(settings(SnatRandomization.PRNG, false));
        assertThat(node.run("iptables", "-t", "nat", "-S", "AWS-SNAT-CHAIN-0")).contains("--random-fully");
    }
}
