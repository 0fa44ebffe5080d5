package io.vpccni.cni.plugin;

import io.vpccni.cni.dataplane.HostNamespace;

import java.io.IOException;
import java.io.PrintStream;

/**
 * The plugin executable's entry point and the only place that exits the process. The host
 * namespace is the process's own: whoever runs the plugin (the container runtime, or a test through
 * {@code ip netns exec}) decides which namespace that is.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws IOException {
        byte[] stdin = System.in.readAllBytes();
        PrintStream stdout = System.out;
        int exit = new Dispatcher(HostNamespace.ofProcess()).run(System.getenv(), stdin, stdout);
        stdout.flush();
        // halt: nothing is left to clean up, and it skips shutdown-hook machinery at exit.
        Runtime.getRuntime().halt(exit);
    }
}
