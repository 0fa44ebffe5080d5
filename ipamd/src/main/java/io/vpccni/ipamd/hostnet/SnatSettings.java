package io.vpccni.ipamd.hostnet;

import io.vpccni.ipamd.config.SnatRandomization;
import io.vpccni.netlink.api.IpPrefix;

import java.net.Inet4Address;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything the SNAT and connmark rules depend on.
 *
 * @param vpcCidrs         the VPC's IPv4 CIDR blocks (from IMDS, re-read periodically)
 * @param excludedCidrs    AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS
 * @param primaryIp        the node's primary private address, the SNAT source
 * @param primaryInterface name of the primary ENI's link (eth0, ens5, ...)
 * @param randomization    AWS_VPC_K8S_CNI_RANDOMIZESNAT
 * @param externalSnat     AWS_VPC_K8S_CNI_EXTERNALSNAT: no SNAT and no connmark rules at all
 * @param nodePortSupport  AWS_VPC_CNI_NODE_PORT_SUPPORT: the mangle rules that send NodePort replies out of the
 *                         primary ENI
 * @param connmark         AWS_VPC_K8S_CNI_CONNMARK, 0x80 by default
 * @param vethPrefix       AWS_VPC_K8S_CNI_VETHPREFIX, "eni" by default
 */
public record SnatSettings(List<IpPrefix> vpcCidrs, List<IpPrefix> excludedCidrs, Inet4Address primaryIp,
                           String primaryInterface, SnatRandomization randomization, boolean externalSnat,
                           boolean nodePortSupport, long connmark, String vethPrefix) {
    /** What may go into an iptables-restore line unquoted: an interface name or prefix. */
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.@-]{1,15}");

    public SnatSettings {
        vpcCidrs = vpcCidrs.stream().map(c -> IpPrefix.of(c.toIpv4Cidr())).distinct().toList();
        excludedCidrs = excludedCidrs.stream().map(c -> IpPrefix.of(c.toIpv4Cidr())).distinct().toList();
        Objects.requireNonNull(primaryIp, "primaryIp");
        Objects.requireNonNull(randomization, "randomization");
        if (!INTERFACE.matcher(primaryInterface).matches()) {
            throw new IllegalArgumentException("invalid primary interface name '" + primaryInterface + "'");
        }
        if (!INTERFACE.matcher(vethPrefix).matches() || vethPrefix.length() > 14) {
            throw new IllegalArgumentException("invalid veth prefix '" + vethPrefix + "'");
        }
        if (connmark < 1 || connmark > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("connmark " + connmark + " is not a non-zero 32-bit value");
        }
    }
}
