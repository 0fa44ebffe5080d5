package io.vpccni.netlink.testing;

import java.util.List;

/** Closing what a test opened, shared by {@link ScratchNamespaces} and {@link ClosedAfterAll}. */
final class Closeables {
    private Closeables() {}

    /** Closes each, newest first, every one tried; the first failure is thrown with the others suppressed. */
    static void closeNewestFirst(List<? extends AutoCloseable> opened) throws Exception {
        Exception first = null;
        for (AutoCloseable c : List.copyOf(opened).reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
