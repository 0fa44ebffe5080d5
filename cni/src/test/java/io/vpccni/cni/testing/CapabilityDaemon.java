package io.vpccni.cni.testing;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.plugin.Dispatcher;
import io.vpccni.cni.server.PluginServer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The plugin server in a process of its own, started as ipamd starts it (NodeDaemon): the privilege check first, then
 * the server beside ipamd's socket, its host namespace the process's own and the host's sysctls under the root given.
 * A test runs it with exactly the capabilities of the image's ipamd container (setpriv), in a mount namespace shaped
 * like the container's. Arguments: {@code <ipamd socket> <sysctl root> [--no-check]}; prints "serving" once it
 * serves, or the reason it does not and exits 3; serves until stdin closes.
 */
public final class CapabilityDaemon {
    private CapabilityDaemon() {}

    public static void main(String[] args) throws IOException {
        Path socket = Path.of(args[0]);
        Path sysctlRoot = Path.of(args[1]);
        boolean check = args.length < 3 || !args[2].equals("--no-check");
        Optional<String> missing = check ? PluginServer.missingPrivilege(sysctlRoot) : Optional.empty();
        if (missing.isPresent()) {
            System.out.println("plugin server not started: " + missing.get());
            System.exit(3);
        }
        try (PluginServer server = PluginServer.start(PluginServer.besideIpamd(socket),
                new Dispatcher(HostNamespace.ofProcess(sysctlRoot.toFile())))) {
            System.out.println("serving");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes stdin
            }
            System.out.println("served " + server.served());
        }
    }
}
