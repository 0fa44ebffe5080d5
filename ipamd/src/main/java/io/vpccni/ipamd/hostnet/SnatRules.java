package io.vpccni.ipamd.hostnet;

import io.vpccni.netlink.api.IpPrefix;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SNAT and connmark rules of aws-vpc-cni, as a pure function of {@link SnatSettings}.
 *
 * <p>nat: POSTROUTING jumps to {@code AWS-SNAT-CHAIN-0}, which RETURNs for every VPC and excluded CIDR and then
 * SNATs what is left (not leaving through a branch-ENI vlan, not for a local address) to the primary IP.
 * PREROUTING sends new connections from pod veths to {@code AWS-CONNMARK-CHAIN-0}, which RETURNs for the same
 * CIDRs and marks the rest, then copies the connection mark to the packet; the fwmark rule at 1024 routes those
 * packets through main, i.e. out of the primary ENI where the SNAT address lives. mangle: connections entering
 * the primary ENI for a local address (NodePort) are marked, and replies from pods get the mark back, so they
 * also leave through the primary ENI.
 *
 * <p>Rules are written in the form {@code iptables-save} prints back ({@code --set-xmark} rather than
 * {@code --set-mark}, {@code --nfmask/--ctmask} rather than {@code --mask}, {@code -i} before matches), which is
 * what lets a dump be compared with them to decide that nothing needs doing.
 */
public final class SnatRules {
    public static final String SNAT_CHAIN = "AWS-SNAT-CHAIN-0";
    public static final String CONNMARK_CHAIN = "AWS-CONNMARK-CHAIN-0";

    private SnatRules() {}

    /** Our rules for the settings; {@code randomFullySupported} comes from the iptables version on the host. */
    public static IptablesRuleset desired(SnatSettings s, boolean randomFullySupported) {
        String mark = hex(s.connmark());
        String restoreMark = "-j CONNMARK --restore-mark --nfmask " + mark + " --ctmask " + mark;
        String veths = s.vethPrefix() + "+";

        Map<String, List<String>> natChains = new LinkedHashMap<>();
        Map<String, List<String>> natBuiltins = new LinkedHashMap<>();
        if (!s.externalSnat()) {
            List<IpPrefix> exclusions = s.excludedCidrs().stream().filter(c -> !s.vpcCidrs().contains(c)).toList();
            List<String> snat = new ArrayList<>();
            List<String> connmark = new ArrayList<>();
            for (IpPrefix cidr : s.vpcCidrs()) {
                snat.add(destination(cidr) + "-m comment --comment \"AWS SNAT CHAIN\" -j RETURN");
                connmark.add(destination(cidr) + "-m comment --comment \"AWS CONNMARK CHAIN\" -j RETURN");
            }
            for (IpPrefix cidr : exclusions) {
                snat.add(destination(cidr) + "-m comment --comment \"AWS SNAT CHAIN EXCLUSION\" -j RETURN");
                connmark.add(destination(cidr) + "-m comment --comment \"AWS CONNMARK CHAIN\" -j RETURN");
            }
            snat.add("! -o vlan+ -m comment --comment \"AWS, SNAT\" -m addrtype ! --dst-type LOCAL -j SNAT --to-source "
                    + s.primaryIp().getHostAddress() + randomFlag(s, randomFullySupported));
            connmark.add("-m comment --comment \"AWS, CONNMARK\" -j CONNMARK --set-xmark " + mark + "/" + mark);
            natChains.put(SNAT_CHAIN, snat);
            natChains.put(CONNMARK_CHAIN, connmark);
            natBuiltins.put("PREROUTING", List.of(
                    "-i " + veths + " -m comment --comment \"AWS, outbound connections\" -j " + CONNMARK_CHAIN,
                    "-m comment --comment \"AWS, CONNMARK\" " + restoreMark));
            natBuiltins.put("POSTROUTING", List.of("-m comment --comment \"AWS SNAT CHAIN\" -j " + SNAT_CHAIN));
        }

        // Upstream's conditions: the primary-ENI mark and the vlan restore serve NodePort only; the veth restore
        // also carries the outbound mark set in nat, so it stays while we SNAT.
        List<String> manglePrerouting = new ArrayList<>();
        if (s.nodePortSupport()) {
            manglePrerouting.add("-i " + s.primaryInterface() + " -m comment --comment \"AWS, primary ENI\""
                    + " -m addrtype --dst-type LOCAL --limit-iface-in -j CONNMARK --set-xmark " + mark + "/" + mark);
        }
        if (s.nodePortSupport() || !s.externalSnat()) {
            manglePrerouting.add("-i " + veths + " -m comment --comment \"AWS, primary ENI\" " + restoreMark);
        }
        if (s.nodePortSupport()) {
            manglePrerouting.add("-i vlan+ -m comment --comment \"AWS, primary ENI\" " + restoreMark);
        }
        Map<String, List<String>> mangleBuiltins = manglePrerouting.isEmpty()
                ? Map.of() : Map.of("PREROUTING", manglePrerouting);

        return new IptablesRuleset(Map.of(
                "nat", new IptablesRuleset.TableRules(natChains, natBuiltins),
                "mangle", new IptablesRuleset.TableRules(Map.of(), mangleBuiltins)));
    }

    /**
     * The iptables-restore payload (for {@code --noflush}) that turns {@code current} into our rules for the
     * settings, or empty when the host already has exactly them.
     */
    public static Optional<String> restorePayload(SnatSettings s, boolean randomFullySupported, IptablesDump current) {
        return IptablesPlan.payload(desired(s, randomFullySupported), current);
    }

    /** iptables drops {@code -d 0.0.0.0/0} (it matches everything), so the dump has no {@code -d} for it either. */
    private static String destination(IpPrefix cidr) {
        return cidr.length() == 0 ? "" : "-d " + cidr + " ";
    }

    private static String randomFlag(SnatSettings s, boolean randomFullySupported) {
        return switch (s.randomization()) {
            case PRNG -> randomFullySupported ? " --random-fully" : " --random";
            case HASHRANDOM -> " --random";
            case NONE -> "";
        };
    }

    static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }
}
