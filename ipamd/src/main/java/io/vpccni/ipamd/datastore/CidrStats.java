package io.vpccni.ipamd.datastore;

import io.vpccni.netlink.ip.Ipv4Cidr;

/** Usage of one /32 secondary IP or /28 prefix at the moment the stats were taken. */
public record CidrStats(Ipv4Cidr cidr, int assigned, int cooling) {

    public int total() {
        return cidr.size();
    }

    /** Assignable now: neither assigned nor cooling. */
    public int available() {
        return total() - assigned - cooling;
    }

    public boolean isPrefix() {
        return cidr.prefixLength() < 32;
    }

    /** Nothing assigned and nothing cooling: the block can go back to EC2 without disturbing anyone. */
    public boolean isUnused() {
        return assigned == 0 && cooling == 0;
    }
}
