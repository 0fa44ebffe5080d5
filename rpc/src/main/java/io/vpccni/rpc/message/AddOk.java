package io.vpccni.rpc.message;

import static io.vpccni.rpc.message.Checks.ipv4;
import static io.vpccni.rpc.message.Checks.ipv4Cidr;
import static io.vpccni.rpc.message.Checks.nonBlank;
import static io.vpccni.rpc.message.Checks.range;

import java.util.Objects;
import java.util.Optional;

/**
 * The address assigned to the pod and where it lives: the ENI's device number and the route table
 * the pod's egress rule must use (main, 254, for the primary ENI; N+1 for device N otherwise).
 * {@code eniSubnetCidr} is present when ipamd knows the subnet (custom networking, logs).
 */
public record AddOk(
        String ipv4Address,
        int prefixLength,
        int deviceNumber,
        int routeTableId,
        int podMtu,
        String eniId,
        Optional<String> eniSubnetCidr) implements IpamReply {
    /** The Linux main table: the primary ENI's pods route through it. */
    public static final int MAIN_TABLE = 254;

    public AddOk {
        ipv4("ipv4Address", ipv4Address);
        range("prefixLength", prefixLength, 1, 32);
        range("deviceNumber", deviceNumber, 0, 1023);
        range("routeTableId", routeTableId, 1, Integer.MAX_VALUE);
        range("podMtu", podMtu, 576, 65535);
        nonBlank("eniId", eniId);
        Objects.requireNonNull(eniSubnetCidr, "eniSubnetCidr");
        eniSubnetCidr.ifPresent(c -> ipv4Cidr("eniSubnetCidr", c));
    }
}
