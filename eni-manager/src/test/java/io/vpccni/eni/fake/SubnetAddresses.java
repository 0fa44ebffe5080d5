package io.vpccni.eni.fake;

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

    private final String cidr;
    private final long network;
    private final int size;
    private final BitSet taken = new BitSet();

    SubnetAddresses(String cidr) {
        this.cidr = cidr;
        String[] parts = cidr.split("/");
        int length = Integer.parseInt(parts[1]);
        if (length < 16 || length > 28) {
            throw new IllegalArgumentException("EC2 subnets are /16 to /28, not " + cidr);
        }
        this.size = 1 << (32 - length);
        this.network = parse(parts[0]);
        if (network % size != 0) {
            throw new IllegalArgumentException(cidr + " is not a network address");
        }
    }

    boolean contains(String ip) {
        long address = parse(ip);
        return address >= network && address < network + size;
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
        return freeStarts(PREFIX_SIZE).stream().map(start -> format(network + start)).toList();
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
            chosen.add(format(network + start) + suffix);
        }
        return chosen;
    }

    private int offset(String ip) {
        long address = parse(ip);
        if (address < network || address >= network + size) {
            throw new IllegalArgumentException(ip + " is not in " + cidr);
        }
        return (int) (address - network);
    }

    static long parse(String ip) {
        String[] octets = ip.split("\\.");
        if (octets.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + ip);
        }
        long value = 0;
        for (String octet : octets) {
            int part = Integer.parseInt(octet);
            if (part < 0 || part > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + ip);
            }
            value = value << 8 | part;
        }
        return value;
    }

    static String format(long address) {
        return (address >> 24 & 255) + "." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255);
    }
}
