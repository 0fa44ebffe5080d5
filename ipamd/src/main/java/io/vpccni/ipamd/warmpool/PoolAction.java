package io.vpccni.ipamd.warmpool;

import io.vpccni.netlink.ip.Ipv4Cidr;
import java.util.List;

/** One thing the pool maintainer should do through EC2, or nothing. */
public sealed interface PoolAction {

    /** Assign {@code count} more secondary IPs to an attached ENI. */
    record AllocateIps(String eniId, int count) implements PoolAction {}

    /** Assign {@code count} more /28 prefixes to an attached ENI. */
    record AllocatePrefixes(String eniId, int count) implements PoolAction {}

    /** Create and attach a new ENI carrying {@code count} secondary IPs or prefixes. */
    record CreateEni(AddressUnit unit, int count) implements PoolAction {}

    /** Unassign these unused secondary IPs (/32) from the ENI. */
    record ReleaseIps(String eniId, List<Ipv4Cidr> ips) implements PoolAction {
        public ReleaseIps {
            ips = List.copyOf(ips);
        }
    }

    /** Unassign these unused /28 prefixes from the ENI. */
    record ReleasePrefixes(String eniId, List<Ipv4Cidr> prefixes) implements PoolAction {
        public ReleasePrefixes {
            prefixes = List.copyOf(prefixes);
        }
    }

    /** Detach and delete this ENI; it holds no assigned and no cooling address. */
    record FreeEni(String eniId) implements PoolAction {}

    /** Nothing to do; the reason is for logs and the status endpoint. */
    record Hold(String reason) implements PoolAction {}

    enum AddressUnit { IP, PREFIX }
}
