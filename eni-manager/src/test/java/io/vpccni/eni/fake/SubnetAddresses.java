package io.vpccni.eni.fake;

import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The addresses of one subnet at one moment, as its ENIs hold them: built from the ENIs for every call that
 * allocates, so nothing can drift from what the ENIs hold (the emulator's fidelity layer does the same).
 * AWS reserves the first four addresses and the last one of every subnet.
 */
final class SubnetAddresses {

    static final int RESERVED_AT_START = 4;
    static final int PREFIX_SIZE = 16;

    private final Ipv4Cidr block;
    private final int size;
    private final BitSet taken = new BitSet();

    SubnetAddresses(String cidr) {
        this.block = Ipv4Cidr.parse(cidr);
        if (block.prefixLength() < 16 || block.prefixLength() > 28) {
            throw new IllegalArgumentException("EC2 subnets are /16 to /28, not " + cidr);
        }
        this.size = block.size();
        if (!block.network().equals(Ipv4Address.parse(cidr.substring(0, cidr.indexOf('/'))))) {
            throw new IllegalArgumentException(cidr + " is not a network address");
        }
    }

    boolean contains(String ip) {
        return block.contains(Ipv4Address.parse(ip));
    }

    /** One of the five addresses AWS keeps for itself: network, router, DNS, future use, and the last one. */
    boolean isReserved(String ip) {
        int offset = offset(ip);
        return offset < RESERVED_AT_START || offset == size - 1;
    }

    /** True when an ENI holds the address, as a /32 or inside a prefix. */
    boolean isHeld(String ip) {
        return taken.get(offset(ip));
    }

    /** Marks an address (or a whole /28 prefix) as held by an ENI. */
    void hold(String addressOrPrefix) {
        if (addressOrPrefix.contains("/")) {
            int start = offset(addressOrPrefix.split("/")[0]);
            taken.set(start, start + PREFIX_SIZE);
        } else {
            taken.set(offset(addressOrPrefix));
        }
    }

    int freeCount() {
        return size - RESERVED_AT_START - 1 - taken.cardinality();
    }

    /** Picks {@code count} free addresses, spread over the subnet as EC2 does; null when too few are free. */
    List<String> allocate(int count, Random random) {
        return take(1, count, random, "");
    }

    /** Picks {@code count} aligned /28s none of whose addresses is held or reserved; null when too few are. */
    List<String> allocatePrefixes(int count, Random random) {
        return take(PREFIX_SIZE, count, random, "/28");
    }

    /** The aligned /28s none of whose addresses is held or reserved, as their first addresses. */
    List<String> freePrefixes() {
        return freeStarts(PREFIX_SIZE).stream().map(start -> block.address(start).toString()).toList();
    }

    private List<Integer> freeStarts(int width) {
        List<Integer> free = new ArrayList<>();
        for (int start = 0; start < size; start += width) {
            boolean reserved = start < RESERVED_AT_START || start + width > size - 1;
            int held = taken.nextSetBit(start);
            if (!reserved && (held < 0 || held >= start + width)) {
                free.add(start);
            }
        }
        return free;
    }

    private List<String> take(int width, int count, Random random, String suffix) {
        List<Integer> free = freeStarts(width);
        if (free.size() < count) {
            return null;
        }
        Collections.shuffle(free, random);
        List<String> chosen = new ArrayList<>();
        for (int start : free.subList(0, count)) {
            taken.set(start, start + width);
            chosen.add(block.address(start) + suffix);
        }
        return chosen;
    }

    private int offset(String ip) {
        Ipv4Address address = Ipv4Address.parse(ip);
        if (!block.contains(address)) {
            throw new IllegalArgumentException(ip + " is not in " + block);
        }
        return block.indexOf(address);
    }
}
