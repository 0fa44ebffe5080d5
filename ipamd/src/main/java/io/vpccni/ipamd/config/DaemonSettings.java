package io.vpccni.ipamd.config;

import static io.vpccni.ipamd.config.ConfigKeys.*;

import java.nio.file.Path;
import java.util.Optional;

/** Logging, endpoints, files and identity of the daemon itself. */
public record DaemonSettings(LogLevel logLevel, String logFile, LogLevel pluginLogLevel, String pluginLogFile,
                             boolean disableIntrospection, String introspectionBindAddress, boolean disableMetrics,
                             String metricsBindAddress, Path backingStore, Path socket, boolean pluginServer,
                             boolean annotatePodIp,
                             Optional<String> nodeName) {

    static DaemonSettings read(ConfigReader r) {
        return new DaemonSettings(
                r.get(AWS_VPC_K8S_CNI_LOGLEVEL, ConfigParser.oneOf(LogLevel.class)),
                r.get(AWS_VPC_K8S_CNI_LOG_FILE, logTarget("stdout", "stderr")),
                r.get(AWS_VPC_K8S_PLUGIN_LOG_LEVEL, ConfigParser.oneOf(LogLevel.class)),
                // The plugin's stdout carries the CNI result, so its log may not go there.
                r.get(AWS_VPC_K8S_PLUGIN_LOG_FILE, logTarget("stderr")),
                r.get(DISABLE_INTROSPECTION, ConfigParser.bool()),
                r.get(INTROSPECTION_BIND_ADDRESS, bindAddress(true)),
                r.get(DISABLE_METRICS, ConfigParser.bool()),
                r.get(METRICS_BIND_ADDRESS, bindAddress(false)),
                r.get(AWS_VPC_K8S_CNI_BACKING_STORE, absolutePath()),
                r.get(VPC_CNI_SOCKET, absolutePath()),
                r.get(VPC_CNI_PLUGIN_SERVER, ConfigParser.bool()),
                r.get(ANNOTATE_POD_IP, ConfigParser.bool()),
                r.optional(MY_NODE_NAME, ConfigParser.string()));
    }

    private static ConfigParser<String> logTarget(String... streams) {
        java.util.List<String> names = java.util.List.of(streams);
        return ConfigParser.string().check(v -> names.contains(v) || v.startsWith("/"),
                String.join(", ", names) + " or an absolute file path");
    }

    private static ConfigParser<Path> absolutePath() {
        return ConfigParser.string().check(v -> v.startsWith("/"), "an absolute path").map(Path::of);
    }

    /** host:port with an optional host (":61678" means all interfaces); the introspection server also takes unix:path. */
    private static ConfigParser<String> bindAddress(boolean unixAllowed) {
        return ConfigParser.string().check(v -> (unixAllowed && v.startsWith("unix:/")) || validHostPort(v),
                unixAllowed ? "host:port (port 0 to 65535) or unix:<absolute path>" : "host:port (port 0 to 65535)");
    }

    private static boolean validHostPort(String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0 || value.substring(0, colon).contains(" ")) {
            return false;
        }
        String port = value.substring(colon + 1);
        return port.matches("\\d{1,5}") && Integer.parseInt(port) <= 65535;
    }
}
