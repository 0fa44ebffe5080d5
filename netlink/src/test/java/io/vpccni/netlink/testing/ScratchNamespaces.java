package io.vpccni.netlink.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The namespaces of one test, as a JUnit 5 extension: before each test it requires root and iproute2
 * ({@link Shell#assumePrivileged}); {@link #create()} and {@link #netlink()} make {@code <prefix>-<random>} namespaces
 * ({@link ScratchNetns}), and after each test every one made is removed, newest first, on every path: a test that
 * failed, and a {@code @BeforeEach} that failed half-way, too.
 *
 * <pre>{@code
 * @RegisterExtension
 * final ScratchNamespaces namespaces = new ScratchNamespaces("vpccni-hn");
 *
 * @BeforeEach
 * void node() {
 *     node = namespaces.create();
 * }
 * }</pre>
 */
public final class ScratchNamespaces implements BeforeEachCallback, AfterEachCallback {
    private final String prefix;
    private final List<AutoCloseable> made = new ArrayList<>();

    /** @param prefix names the namespaces, so a leftover one tells which tests made it */
    public ScratchNamespaces(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Shell.assumePrivileged();
    }

    /** A new namespace with lo up, removed after the test. */
    public synchronized ScratchNetns create() {
        ScratchNetns ns = ScratchNetns.create(prefix);
        made.add(ns);
        return ns;
    }

    /** A new namespace with a netlink handle in it; the handle is closed, then the namespace removed, after the test. */
    public synchronized ScratchNetlink netlink() {
        ScratchNetlink scratch = ScratchNetlink.create(prefix);
        made.add(scratch);
        return scratch;
    }

    /** Something of the test's own to close after the test, before the namespaces made so far (a handle in one). */
    public synchronized <T extends AutoCloseable> T closeFirst(T closeable) {
        made.add(closeable);
        return closeable;
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) throws Exception {
        try {
            Closeables.closeNewestFirst(made);
        } finally {
            made.clear();
        }
    }
}
