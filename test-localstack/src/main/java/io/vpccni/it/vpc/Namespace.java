package io.vpccni.it.vpc;

import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.ns.NetNs;
import io.vpccni.netlink.socket.KernelNetlink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A network namespace this harness made ({@code ip netns add}), with a netlink socket bound inside it. Closing
 * deletes it, which also removes every veth end in it and so the peer end elsewhere.
 */
public final class Namespace implements AutoCloseable {

    private static final Path NAMED = Path.of("/var/run/netns");

    private final String name;
    private final NetNs handle;
    private final Netlink netlink;

    private Namespace(String name) {
        this.name = name;
        this.handle = NetNs.named(name);
        this.netlink = KernelNetlink.openIn(handle);
    }

    /** Creates the namespace with its loopback up. */
    public static Namespace create(String name) {
        Exec.run("ip", "netns", "add", name).orThrow();
        try {
            Namespace ns = new Namespace(name);
            ns.ip("link", "set", "lo", "up");
            return ns;
        } catch (RuntimeException e) {
            Exec.run("ip", "netns", "del", name);
            throw e;
        }
    }

    public String name() {
        return name;
    }

    public Path path() {
        return NAMED.resolve(name);
    }

    public NetNs handle() {
        return handle;
    }

    /** rtnetlink inside this namespace, usable from any thread. */
    public Netlink netlink() {
        return netlink;
    }

    /** {@code ip -n NAME ARGS...}; throws when ip fails. */
    public String ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        return Exec.run(Map.of(), null, command).orThrow().stdout();
    }

    /** Runs a command inside the namespace ({@code ip netns exec}). */
    public Exec.Result exec(Map<String, String> env, String stdin, List<String> command) {
        return Exec.run(env, stdin, inside(command));
    }

    /** {@code ip netns exec NAME COMMAND...}: how every process of ours is started in a namespace. */
    public List<String> inside(List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        return full;
    }

    /**
     * Writes {@code /proc/sys/<key>} as seen from this namespace. Done on a NetNs.run thread because /proc/sys/net
     * shows the namespace of the thread that opens the file; nothing else happens on that thread.
     */
    public void sysctl(String key, String value) {
        Path file = Path.of("/proc/sys", key.replace('.', '/'));
        try {
            handle.run(() -> Files.writeString(file, value));
        } catch (IOException e) {
            throw new IllegalStateException("cannot set " + key + "=" + value + " in " + name, e);
        }
    }

    /** The namespace's identity, as {@code /proc/PID/ns/net} of a process inside it must show. */
    public long inode() {
        return inodeOf(path());
    }

    /** True when process {@code pid} runs inside this namespace. */
    public boolean contains(long pid) {
        return inodeOf(Path.of("/proc", Long.toString(pid), "ns", "net")) == inode();
    }

    private static long inodeOf(Path path) {
        try {
            return ((Number) Files.getAttribute(path, "unix:ino")).longValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot stat " + path, e);
        }
    }

    @Override
    public void close() {
        netlink.close();
        handle.close();
        Exec.Result deleted = Exec.run("ip", "netns", "del", name);
        if (!deleted.ok() && Files.exists(path())) {
            deleted.orThrow();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
