package io.vpccni.ipamd.config;

import static io.vpccni.ipamd.config.ConfigKeys.*;

import io.vpccni.netlink.ip.Ipv4Cidr;
import java.util.List;
import java.util.Set;

/** SNAT, routing and the names and MTU of pod interfaces on the host. */
public record HostNetworkSettings(boolean externalSnat, List<Ipv4Cidr> excludeSnatCidrs,
                                  SnatRandomization randomizeSnat, List<Ipv4Cidr> externalServiceCidrs,
                                  boolean nodePortSupport, int podMtu, String vethPrefix, long connmark) {

    /** Linux allows 15 characters in an interface name; the host veth name appends 11 hex characters. */
    public static final int MAX_VETH_PREFIX = 15 - 11;
    private static final Set<String> RESERVED_PREFIXES = Set.of("eth", "lo", "vlan");

    public HostNetworkSettings {
        excludeSnatCidrs = List.copyOf(excludeSnatCidrs);
        externalServiceCidrs = List.copyOf(externalServiceCidrs);
    }

    static HostNetworkSettings read(ConfigReader r, int eniMtu) {
        return new HostNetworkSettings(
                r.get(AWS_VPC_K8S_CNI_EXTERNALSNAT, ConfigParser.bool()),
                r.get(AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS, ConfigParser.cidrList()),
                r.get(AWS_VPC_K8S_CNI_RANDOMIZESNAT, ConfigParser.oneOf(SnatRandomization.class)),
                r.get(AWS_EXTERNAL_SERVICE_CIDRS, ConfigParser.cidrList()),
                r.get(AWS_VPC_CNI_NODE_PORT_SUPPORT, ConfigParser.bool()),
                r.optional(POD_MTU, ConfigParser.inRange(EniSettings.MIN_MTU, EniSettings.MAX_MTU)).orElse(eniMtu),
                r.get(AWS_VPC_K8S_CNI_VETHPREFIX, vethPrefixParser()),
                r.get(AWS_VPC_K8S_CNI_CONNMARK, ConfigParser.cInteger().check(v -> v >= 1 && v <= 0xffff_ffffL,
                        "an integer from 1 to 0xffffffff (decimal, 0x hex or 0 octal)")));
    }

    private static ConfigParser<String> vethPrefixParser() {
        return ConfigParser.string().check(
                p -> p.length() <= MAX_VETH_PREFIX && !RESERVED_PREFIXES.contains(p) && p.matches("[A-Za-z0-9_.-]+"),
                "1 to " + MAX_VETH_PREFIX + " characters from [A-Za-z0-9_.-], not eth, lo or vlan");
    }
}
