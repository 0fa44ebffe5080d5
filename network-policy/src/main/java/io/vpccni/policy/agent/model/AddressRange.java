package io.vpccni.policy.agent.model;

import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.util.ArrayList;
import java.util.List;

/** An inclusive range of IPv4 addresses, {@code first..last}; a CIDR is one, and so is a CIDR minus its excepts' gaps. */
public record AddressRange(long first, long last) implements Comparable<AddressRange> {

    public static final long MAX = 0xFFFF_FFFFL;
    public static final AddressRange ALL = new AddressRange(0, MAX);

    public AddressRange {
        if (first < 0 || last > MAX || first > last) {
            throw new IllegalArgumentException("not an address range: " + first + ".." + last);
        }
    }

    public static AddressRange single(long address) {
        return new AddressRange(address, address);
    }

    /**
     * A CIDR such as {@code 10.0.0.0/16}, or a bare address (a /32). Host bits set below the prefix are an error:
     * the API server accepts {@code 10.0.0.1/16} in an ipBlock, but what was meant is ambiguous and upstream's
     * agent rejects it too.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static AddressRange cidr(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (!Ipv4Address.isLiteral(address)) {
            throw new IllegalArgumentException(text + " is not an IPv4 CIDR");
        }
        if (slash >= 0 && !Ipv4Cidr.isLiteral(text)) {
            throw new IllegalArgumentException(text + " has no prefix length 0-32");
        }
        Ipv4Address base = Ipv4Address.parse(address);
        Ipv4Cidr block = slash < 0 ? Ipv4Cidr.single(base) : Ipv4Cidr.parse(text);
        if (!block.network().equals(base)) {
            throw new IllegalArgumentException(text + " has host bits set below /" + block.prefixLength());
        }
        long first = base.unsigned();
        return new AddressRange(first, first + (1L << (32 - block.prefixLength())) - 1);
    }

    public boolean contains(AddressRange other) {
        return first <= other.first && other.last <= last;
    }

    public boolean overlaps(AddressRange other) {
        return first <= other.last && other.first <= last;
    }

    /** This range without the addresses of {@code holes}, as disjoint ranges in order. */
    public List<AddressRange> minus(List<AddressRange> holes) {
        List<AddressRange> out = new ArrayList<>();
        long next = first;
        for (AddressRange hole : merge(holes)) {
            if (hole.last < next || hole.first > last) {
                continue;
            }
            if (hole.first > next) {
                out.add(new AddressRange(next, hole.first - 1));
            }
            next = hole.last + 1;
        }
        if (next <= last) {
            out.add(new AddressRange(next, last));
        }
        return out;
    }

    /** The union of {@code ranges} as disjoint, non-adjacent ranges in order. */
    public static List<AddressRange> merge(List<AddressRange> ranges) {
        return Intervals.merge(ranges, AddressRange::first, AddressRange::last, (f, l) -> new AddressRange(f, l));
    }

    @Override
    public int compareTo(AddressRange o) {
        return first != o.first ? Long.compare(first, o.first) : Long.compare(last, o.last);
    }

    @Override
    public String toString() {
        return first == last ? format(first) : format(first) + "-" + format(last);
    }

    private static String format(long address) {
        return new Ipv4Address((int) address).toString();
    }
}
