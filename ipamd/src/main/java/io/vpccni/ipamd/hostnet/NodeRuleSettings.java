package io.vpccni.ipamd.hostnet;

import io.vpccni.netlink.api.IpPrefix;

import java.util.List;

/**
 * What decides the node-wide policy rules.
 *
 * @param externalSnat         AWS_VPC_K8S_CNI_EXTERNALSNAT
 * @param nodePortSupport      AWS_VPC_CNI_NODE_PORT_SUPPORT
 * @param connmark             AWS_VPC_K8S_CNI_CONNMARK (default 0x80), used as fwmark and mask
 * @param externalServiceCidrs AWS_EXTERNAL_SERVICE_CIDRS; host bits are dropped
 */
public record NodeRuleSettings(boolean externalSnat, boolean nodePortSupport, long connmark,
                               List<IpPrefix> externalServiceCidrs) {
    public NodeRuleSettings {
        if (connmark < 1 || connmark > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("connmark " + connmark + " is not a non-zero 32-bit value");
        }
        externalServiceCidrs = externalServiceCidrs.stream().map(c -> IpPrefix.of(c.toIpv4Cidr())).distinct().toList();
    }
}
