package io.vpccni.ipamd.hostnet;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel parameters a node needs, written once at start.
 *
 * <p>From aws-vpc-cni's init container ({@code cmd/aws-vpc-cni-init}): {@code net/ipv4/conf/<primary>/rp_filter=2}
 * (loose: replies to NodePort traffic for pods on secondary ENIs arrive on the primary ENI but would route out of
 * another, which strict mode drops), and {@code net/ipv4/tcp_early_demux} 1, or 0 with DISABLE_TCP_EARLY_DEMUX,
 * only where the kernel has it. Ours in addition: {@code net/ipv4/ip_forward=1}, without which no pod traffic
 * leaves the node; aws-node leaves that to the node image.
 */
public final class NodeSysctls {
    private static final System.Logger LOG = System.getLogger(NodeSysctls.class.getName());

    private NodeSysctls() {}

    /**
     * @param primaryInterface     the primary ENI's link name
     * @param disableTcpEarlyDemux DISABLE_TCP_EARLY_DEMUX
     */
    public record Settings(String primaryInterface, boolean disableTcpEarlyDemux) {
        public Settings {
            if (!primaryInterface.matches("[A-Za-z0-9_.@-]{1,15}")) {
                throw new IllegalArgumentException("invalid primary interface name '" + primaryInterface + "'");
            }
        }
    }

    /** @param onlyIfPresent skip quietly when the kernel lacks the parameter instead of failing */
    public record Sysctl(String key, String value, boolean onlyIfPresent) {}

    /** @param failures one sentence per parameter that could not be read or written; empty when all is well */
    public record Report(List<String> changed, List<String> failures) {
        public Report {
            changed = List.copyOf(changed);
            failures = List.copyOf(failures);
        }

        public boolean ok() {
            return failures.isEmpty();
        }
    }

    public static List<Sysctl> desired(Settings s) {
        return List.of(
                new Sysctl("net/ipv4/conf/" + s.primaryInterface() + "/rp_filter", "2", false),
                new Sysctl("net/ipv4/tcp_early_demux", s.disableTcpEarlyDemux() ? "0" : "1", true),
                new Sysctl("net/ipv4/ip_forward", "1", false));
    }

    /** Writes what differs; every failure is logged and returned, none is thrown. */
    public static Report apply(ProcSys procSys, List<Sysctl> sysctls) {
        List<String> changed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Sysctl s : sysctls) {
            try {
                Optional<String> current = procSys.read(s.key());
                if (current.isEmpty()) {
                    if (!s.onlyIfPresent()) {
                        failures.add(s.key() + ": no such kernel parameter under " + procSys.root());
                    }
                    continue;
                }
                if (!current.get().equals(s.value())) {
                    procSys.write(s.key(), s.value());
                    changed.add(s.key() + " " + current.get() + " -> " + s.value());
                }
            } catch (IOException | RuntimeException e) {
                failures.add(s.key() + "=" + s.value() + ": " + e);
            }
        }
        changed.forEach(c -> LOG.log(Level.INFO, "set sysctl {0}", c));
        failures.forEach(f -> LOG.log(Level.ERROR, "could not set sysctl {0}", f));
        return new Report(changed, failures);
    }
}
