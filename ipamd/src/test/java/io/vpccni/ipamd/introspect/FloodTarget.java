package io.vpccni.ipamd.introspect;

import io.vpccni.ipamd.introspect.IntrospectionServer.Listeners;
import io.vpccni.ipamd.introspect.IntrospectionServer.Role;
import io.vpccni.rpc.message.StatusOk;
import io.vpccni.rpc.transport.IpamServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * ipamd's two local servers (introspection HTTP and ipamd.sock) in a JVM of their own, started by
 * {@link HostileClientsTest} with the image's JVM flags; prints the HTTP port, serves until stdin closes.
 */
public final class FloodTarget {
    private FloodTarget() {}

    public static void main(String[] args) throws Exception {
        FakeNodeView node = FakeNodeView.standard();
        try (IntrospectionServer http = IntrospectionServer.start(node, node.clock,
                new Listeners(Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.empty()));
                IpamServer rpc = IpamServer.start(Path.of(args[0]), r -> new StatusOk(true, "", 3))) {
            System.out.println("port " + http.address(Role.INTROSPECTION).orElseThrow().getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the test closes our stdin
            }
        }
    }
}
