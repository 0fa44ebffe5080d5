package io.vpccni.ipamd.introspect;

import java.net.InetSocketAddress;

/**
 * Parses the bind-address syntax of INTROSPECTION_BIND_ADDRESS and METRICS_BIND_ADDRESS: {@code host:port},
 * {@code [v6]:port}, or {@code :port} for all interfaces (upstream's metrics default). The JDK's HTTP server
 * cannot listen on a Unix socket, so {@code unix:} is refused here with the variable's name.
 */
public final class BindAddress {

    private BindAddress() {}

    public static InetSocketAddress parse(String variable, String value) {
        if (value.startsWith("unix:")) {
            throw new IllegalArgumentException(variable + "=" + value
                    + ": a Unix socket is not supported by vpc-cni-java's HTTP server; use host:port");
        }
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(variable + "=" + value + ": expected host:port");
        }
        String host = value.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + "=" + value + ": the port is not a number", e);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }
}
