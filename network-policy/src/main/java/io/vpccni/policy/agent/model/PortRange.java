package io.vpccni.policy.agent.model;

import java.util.List;

/** An inclusive range of transport ports; {@link #ALL} (0-65535) when a rule names a protocol but no port. */
public record PortRange(int first, int last) implements Comparable<PortRange> {

    public static final PortRange ALL = new PortRange(0, 65535);

    public PortRange {
        if (first < 0 || last > 65535 || first > last) {
            throw new IllegalArgumentException("not a port range: " + first + "-" + last);
        }
    }

    /** The union of {@code ranges} as disjoint, non-adjacent ranges in order. */
    public static List<PortRange> merge(List<PortRange> ranges) {
        return Intervals.merge(ranges, PortRange::first, PortRange::last, (f, l) -> new PortRange((int) f, (int) l));
    }

    @Override
    public int compareTo(PortRange o) {
        return first != o.first ? Integer.compare(first, o.first) : Integer.compare(last, o.last);
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
