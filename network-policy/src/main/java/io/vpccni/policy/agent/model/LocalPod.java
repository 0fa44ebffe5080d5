package io.vpccni.policy.agent.model;

import io.vpccni.netlink.ip.Ipv4Address;
import java.util.Objects;
import java.util.Optional;

/**
 * A pod on this node as the agent knows it: its address and, when ipamd wired it, its host veth (the agent then
 * checks the pod's egress by the interface its packets arrive on, which the pod cannot forge, rather than by their
 * source address). A pod a PolicyEndpoint places on this node that ipamd does not know has no veth here.
 */
public record LocalPod(String ip, Optional<String> hostVeth, String namespace, String name) {
    public LocalPod {
        if (ip == null || !Ipv4Address.isLiteral(ip)) {
            throw new IllegalArgumentException("pod address " + ip + " is not an IPv4 address");
        }
        Objects.requireNonNull(hostVeth, "hostVeth");
        namespace = namespace == null ? "" : namespace;
        name = name == null ? "" : name;
    }

    public long address() {
        return Ipv4Address.parse(ip).unsigned();
    }
}
