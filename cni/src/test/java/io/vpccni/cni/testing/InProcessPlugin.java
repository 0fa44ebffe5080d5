package io.vpccni.cni.testing;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.plugin.Dispatcher;
import io.vpccni.netlink.ns.NetNs;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The plugin run in the test's JVM through its {@link Dispatcher}, with a namespace of the test's own as its host
 * side and the ipamd socket given: what a runtime would see, without a process per call.
 */
public final class InProcessPlugin {
    /** Exit status and stdout of one call. */
    public record Outcome(int exit, String stdout) {}

    private InProcessPlugin() {}

    public static Outcome run(NetNs hostNs, Path ipamdSocket, PluginCall call, String stdin) {
        var out = new ByteArrayOutputStream();
        Map<String, String> env = new HashMap<>(call.env());
        env.put(Dispatcher.SOCKET_ENV, ipamdSocket.toString());
        int exit = new Dispatcher(HostNamespace.of(hostNs)).run(env, stdin.getBytes(StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8));
    }
}
