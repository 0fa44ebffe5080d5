package io.vpccni.ipamd.hostnet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Kernel parameters as files under a root, {@code /proc/sys} on a host: keys are paths below it
 * ({@code net/ipv4/ip_forward}). Another root makes it testable without root; {@code /proc/sys/net} answers for
 * the network namespace of the thread that opens the file, so a test runs it inside {@code NetNs.run}.
 */
public record ProcSys(Path root) {
    /**
     * The host's: {@code /host/proc/sys} when the host's {@code /proc/sys/net} is mounted there (the DaemonSet does,
     * as a container that is not privileged has {@code /proc/sys} read-only; the plugin server writes there too,
     * {@code PluginServer.sysctlRoot}), else {@code /proc/sys}. Every key ipamd writes is under {@code net/}.
     */
    public static ProcSys host() {
        Path mounted = Path.of("/host/proc/sys");
        return new ProcSys(Files.isDirectory(mounted.resolve("net")) ? mounted : Path.of("/proc/sys"));
    }

    /** The value without its trailing newline, or empty when the kernel has no such parameter. */
    public Optional<String> read(String key) throws IOException {
        try {
            return Optional.of(Files.readString(path(key), StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    public void write(String key, String value) throws IOException {
        Files.writeString(path(key), value + "\n", StandardCharsets.US_ASCII);
    }

    private Path path(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.contains("..")) {
            throw new IllegalArgumentException("invalid sysctl key '" + key + "'");
        }
        return root.resolve(key);
    }
}
