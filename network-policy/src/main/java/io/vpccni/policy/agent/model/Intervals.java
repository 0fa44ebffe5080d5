package io.vpccni.policy.agent.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/** The union of inclusive integer intervals, shared by address and port ranges. */
final class Intervals {

    interface Make<T> {
        T of(long first, long last);
    }

    private Intervals() {}

    /** {@code ranges} joined where they overlap or touch, in order. */
    static <T> List<T> merge(List<T> ranges, ToLongFunction<T> first, ToLongFunction<T> last, Make<T> make) {
        List<T> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(first));
        List<T> out = new ArrayList<>();
        long start = -1;
        long end = -2;
        for (T r : sorted) {
            if (start >= 0 && end + 1 >= first.applyAsLong(r)) {
                end = Math.max(end, last.applyAsLong(r));
                continue;
            }
            if (start >= 0) {
                out.add(make.of(start, end));
            }
            start = first.applyAsLong(r);
            end = last.applyAsLong(r);
        }
        if (start >= 0) {
            out.add(make.of(start, end));
        }
        return out;
    }
}
