package io.vpccni.it.ipamd;

import io.vpccni.ipamd.app.Main;
import io.vpccni.ipamd.app.NodeDaemon;
import io.vpccni.ipamd.app.NodeNetworking;
import java.time.Duration;
import java.util.Optional;

/**
 * The production daemon composition (NodeDaemon.fromEnvironment) with no host-namespace work, for tests that run ipamd as a
 * process of its own in the root namespace: host networking must never touch the root namespace of the test
 * machine, and is tested in namespaces of its own (hostnet tests, VPC in a box). Nor does it run the plugin
 * server, whose host namespace would be the root namespace.
 */
public final class DaemonWithoutDataPlane {

    private DaemonWithoutDataPlane() {}

    public static void main(String[] args) throws Exception {
        var start = NodeDaemon.fromEnvironment(System.getenv(),
                (config, metadata) -> new NodeDaemon.HostSide(NodeNetworking.NONE, allocation -> true, Optional.empty()),
                Duration.ofSeconds(60), System.err);
        if (start instanceof NodeDaemon.Start.Refused refused) {
            System.err.println("ipamd: " + refused.reason());
            System.exit(Main.EXIT_NOT_STARTED);
        }
        Thread.currentThread().join(); // until killed
    }
}
