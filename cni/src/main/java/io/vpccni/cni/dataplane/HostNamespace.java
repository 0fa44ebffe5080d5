package io.vpccni.cni.dataplane;

import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.socket.KernelNetlink;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The node's side of the pod network. In production it is the plugin process's own namespace;
 * in-process tests pass a namespace they created, so nothing ever touches the real host.
 */
public sealed interface HostNamespace {

    /** rtnetlink in the host namespace; the caller closes it. */
    Netlink openNetlink();

    /**
     * Writes {@code /proc/sys/<key>} as seen from the host namespace (net sysctls are per
     * namespace). A key the kernel does not have (no IPv6) is skipped and reported as false.
     */
    boolean writeSysctl(String key, String value) throws IOException;

    /** The process's own namespace, its sysctls under {@code /proc/sys}: the standalone plugin's, on the host. */
    static HostNamespace ofProcess() {
        return new Process(new File("/proc/sys"));
    }

    /**
     * The process's own namespace, its sysctls under {@code procSys}: a daemon in a container that is not privileged
     * has {@code /proc/sys} read-only, and writes the host's {@code /proc/sys/net} where it is mounted instead
     * ({@code /proc/sys/net} answers for the network namespace of whoever opens the file, the host's for a daemon in
     * the host network).
     */
    static HostNamespace ofProcess(File procSys) {
        return new Process(procSys);
    }

    /** The namespace behind {@code ns}; the handle must stay open while this is used. */
    static HostNamespace of(NetNs ns) {
        return new Named(ns);
    }

    record Process(File procSys) implements HostNamespace {
        @Override
        public Netlink openNetlink() {
            return KernelNetlink.open();
        }

        @Override
        public boolean writeSysctl(String key, String value) throws IOException {
            return write(procSys, key, value);
        }
    }

    record Named(NetNs ns) implements HostNamespace {
        @Override
        public Netlink openNetlink() {
            return KernelNetlink.openIn(ns);
        }

        @Override
        public boolean writeSysctl(String key, String value) throws IOException {
            // /proc/sys/net resolves against the opening thread's namespace, hence ns.run.
            return ns.run(() -> write(new File("/proc/sys"), key, value));
        }
    }

    /**
     * Through java.io rather than {@code Files.writeString}: the JVM has java.io's file streams
     * ready at start, while NIO's first file channel initialises its machinery, a few ms of a
     * plugin run (BENCHMARKS.md).
     */
    private static boolean write(File procSys, String key, String value) throws IOException {
        File file = new File(procSys, key);
        if (!file.exists()) {
            return false;
        }
        try (FileOutputStream out = new FileOutputStream(file)) {
            out.write(value.getBytes(StandardCharsets.US_ASCII));
        }
        return true;
    }
}
