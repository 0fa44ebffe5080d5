package io.vpccni.ipamd.hostnet;

import io.vpccni.ipamd.config.SnatRandomization;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.ip.Ipv4Address;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SnatRulesTest {
    static SnatSettings settings(SnatRandomization mode, boolean externalSnat, List<String> excluded) {
        return new SnatSettings(List.of(IpPrefix.parse("10.0.0.0/16"), IpPrefix.parse("100.64.0.0/16")),
                excluded.stream().map(IpPrefix::parse).toList(), Ipv4Address.parse("10.0.0.10").toInet(), "eth0", mode,
                externalSnat, true, 0x80, "eni");
    }

    private static String fresh(SnatSettings s, boolean randomFully) {
        return SnatRules.restorePayload(s, randomFully, IptablesDump.empty()).orElseThrow();
    }

    @Test
    void prngUsesRandomFullyAfterTheReturnsOfEveryCidr() {
        String payload = fresh(settings(SnatRandomization.PRNG, false, List.of("192.168.0.0/16")), true);

        assertThat(payload).isEqualTo("""
                *nat
                :AWS-SNAT-CHAIN-0 - [0:0]
                :AWS-CONNMARK-CHAIN-0 - [0:0]
                -A AWS-SNAT-CHAIN-0 -d 10.0.0.0/16 -m comment --comment "AWS SNAT CHAIN" -j RETURN
                -A AWS-SNAT-CHAIN-0 -d 100.64.0.0/16 -m comment --comment "AWS SNAT CHAIN" -j RETURN
                -A AWS-SNAT-CHAIN-0 -d 192.168.0.0/16 -m comment --comment "AWS SNAT CHAIN EXCLUSION" -j RETURN
                -A AWS-SNAT-CHAIN-0 ! -o vlan+ -m comment --comment "AWS, SNAT" -m addrtype ! --dst-type LOCAL -j SNAT --to-source 10.0.0.10 --random-fully
                -A AWS-CONNMARK-CHAIN-0 -d 10.0.0.0/16 -m comment --comment "AWS CONNMARK CHAIN" -j RETURN
                -A AWS-CONNMARK-CHAIN-0 -d 100.64.0.0/16 -m comment --comment "AWS CONNMARK CHAIN" -j RETURN
                -A AWS-CONNMARK-CHAIN-0 -d 192.168.0.0/16 -m comment --comment "AWS CONNMARK CHAIN" -j RETURN
                -A AWS-CONNMARK-CHAIN-0 -m comment --comment "AWS, CONNMARK" -j CONNMARK --set-xmark 0x80/0x80
                -A PREROUTING -i eni+ -m comment --comment "AWS, outbound connections" -j AWS-CONNMARK-CHAIN-0
                -A PREROUTING -m comment --comment "AWS, CONNMARK" -j CONNMARK --restore-mark --nfmask 0x80 --ctmask 0x80
                -A POSTROUTING -m comment --comment "AWS SNAT CHAIN" -j AWS-SNAT-CHAIN-0
                COMMIT
                *mangle
                -A PREROUTING -i eth0 -m comment --comment "AWS, primary ENI" -m addrtype --dst-type LOCAL --limit-iface-in -j CONNMARK --set-xmark 0x80/0x80
                -A PREROUTING -i eni+ -m comment --comment "AWS, primary ENI" -j CONNMARK --restore-mark --nfmask 0x80 --ctmask 0x80
                -A PREROUTING -i vlan+ -m comment --comment "AWS, primary ENI" -j CONNMARK --restore-mark --nfmask 0x80 --ctmask 0x80
                COMMIT
                """);
    }

    @Test
    void prngFallsBackToRandomWithoutRandomFullySupport() {
        String payload = fresh(settings(SnatRandomization.PRNG, false, List.of()), false);

        assertThat(payload).contains("-j SNAT --to-source 10.0.0.10 --random\n").doesNotContain("--random-fully");
    }

    @Test
    void hashrandomUsesRandomAndNoneUsesNoFlag() {
        assertThat(fresh(settings(SnatRandomization.HASHRANDOM, false, List.of()), true))
                .contains("--to-source 10.0.0.10 --random\n");
        assertThat(fresh(settings(SnatRandomization.NONE, false, List.of()), true))
                .contains("--to-source 10.0.0.10\n").doesNotContain("--random");
    }

    @Test
    void externalSnatLeavesOnlyTheNodePortMangleRules() {
        IptablesRuleset rules = SnatRules.desired(settings(SnatRandomization.PRNG, true, List.of("192.168.0.0/16")), true);

        assertThat(rules.table("nat").chains()).isEmpty();
        assertThat(rules.table("nat").builtins()).isEmpty();
        assertThat(rules.table("mangle").builtin("PREROUTING")).hasSize(3)
                .allMatch(r -> r.contains("AWS, primary ENI"));
    }

    @Test
    void externalSnatWithoutNodePortSupportHasNoRulesAtAll() {
        SnatSettings s = settings(SnatRandomization.PRNG, true, List.of());
        SnatSettings noNodePort = new SnatSettings(s.vpcCidrs(), s.excludedCidrs(), s.primaryIp(), "eth0",
                s.randomization(), true, false, 0x80, "eni");

        assertThat(SnatRules.restorePayload(noNodePort, true, IptablesDump.empty())).isEmpty();
    }

    @Test
    void excludedCidrsAreNormalisedAndNotRepeatedWhenInsideTheVpcList() {
        String payload = fresh(settings(SnatRandomization.NONE, false, List.of("10.0.0.0/16", "172.16.3.4/12")), true);

        assertThat(payload).contains("-d 172.16.0.0/12 -m comment --comment \"AWS SNAT CHAIN EXCLUSION\" -j RETURN")
                .doesNotContain("-d 10.0.0.0/16 -m comment --comment \"AWS SNAT CHAIN EXCLUSION\"");
    }

    @Test
    void customConnmarkAndVethPrefixAppearInEveryMarkRule() {
        SnatSettings s = new SnatSettings(List.of(IpPrefix.parse("10.0.0.0/16")), List.of(), Ipv4Address.parse("10.0.0.10").toInet(),
                "ens5", SnatRandomization.NONE, false, true, 0x4000, "pod");

        assertThat(fresh(s, true))
                .contains("-i pod+ -m comment --comment \"AWS, outbound connections\" -j AWS-CONNMARK-CHAIN-0")
                .contains("--set-xmark 0x4000/0x4000")
                .contains("--restore-mark --nfmask 0x4000 --ctmask 0x4000")
                .contains("-i ens5 -m comment --comment \"AWS, primary ENI\"")
                .doesNotContain("0x80");
    }
}
