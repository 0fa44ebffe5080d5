package io.vpccni.it.vpc;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.ip.Ipv4Address;
import java.net.Inet4Address;

/**
 * One attached ENI as the fabric wires it: a veth whose node end is {@code eth<deviceIndex>} with the ENI's MAC,
 * and whose fabric end holds the subnet's gateway.
 */
public record EniLink(String eniId, int node, int deviceIndex, MacAddress mac, Inet4Address primaryIp,
                      IpPrefix subnet) {

    /** The fabric end's name, e.g. {@code n1e2} for node 1's ENI at device index 2. */
    public String fabricName() {
        return "n" + node + "e" + deviceIndex;
    }

    /** The node end's name, as an ENI's link is named on an instance. */
    public String nodeName() {
        return "eth" + deviceIndex;
    }

    /** The VPC router's address in the subnet: the network address plus one, as in a real VPC. */
    public Inet4Address gateway() {
        return Ipv4Address.of(subnet.address()).plus(1).toInet();
    }
}
