package io.vpccni.eni.model;

import java.util.List;

/**
 * One ENI as instance metadata sees it (network/interfaces/macs/&lt;mac&gt;/...).
 *
 * @param localIpv4s all IPv4 addresses, the primary one first
 * @param ipv4Prefixes delegated /28 prefixes; empty when IMDS answers 404 for ipv4-prefix
 */
public record EniMetadata(
        String mac, String interfaceId, int deviceNumber, String subnetId, String vpcId, List<String> securityGroupIds,
        List<String> localIpv4s, List<String> ipv4Prefixes, String subnetIpv4CidrBlock, List<String> vpcIpv4CidrBlocks) {

    public EniMetadata {
        securityGroupIds = List.copyOf(securityGroupIds);
        localIpv4s = List.copyOf(localIpv4s);
        ipv4Prefixes = List.copyOf(ipv4Prefixes);
        vpcIpv4CidrBlocks = List.copyOf(vpcIpv4CidrBlocks);
    }

    public String primaryIpv4() {
        return localIpv4s.isEmpty() ? "" : localIpv4s.getFirst();
    }
}
