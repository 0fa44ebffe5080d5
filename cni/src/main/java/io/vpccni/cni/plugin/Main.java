package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.HostNamespace;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/**
 * The plugin executable's entry point and the only place that exits the process. The host
 * namespace is the process's own: whoever runs the plugin (the container runtime, or a test through
 * {@code ip netns exec}) decides which namespace that is.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws IOException {
        PrintStream stdout = System.out;
        int exit = run(System.getenv(), System.in.readAllBytes(), stdout);
        stdout.flush();
        // halt: nothing is left to clean up, and it skips shutdown-hook machinery at exit.
        Runtime.getRuntime().halt(exit);
    }

    /** One invocation; the exit code. Also what the AOT training replays, so this class is in the cache. */
    static int run(Map<String, String> env, byte[] stdin, PrintStream stdout) {
        return new Dispatcher(HostNamespace.ofProcess()).run(env, stdin, stdout);
    }
}
