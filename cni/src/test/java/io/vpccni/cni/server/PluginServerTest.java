package io.vpccni.cni.server;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.plugin.Dispatcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server on a real socket, with requests that never reach the kernel: VERSION, and requests
 * refused before the plugin runs (so the process's own namespace, which a test must not change,
 * is never touched). The data plane through the server is tested with the shim in
 * {@code ServedWholeProcessIT} and {@code PluginServerIT}.
 */
class PluginServerTest {
    @TempDir
    Path dir;
    PluginServer server;

    @BeforeEach
    void start() throws IOException {
        server = PluginServer.start(PluginServer.besideIpamd(dir.resolve("ipamd.sock")),
                new Dispatcher(HostNamespace.ofProcess()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String exchange(byte[] request) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(server.socketPath()));
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                c.write(out);
            }
            c.shutdownOutput();
            ByteBuffer in = ByteBuffer.allocate(1 << 16);
            while (c.read(in) >= 0) {
                // to end of stream
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] request(Map<String, String> env, String stdin) {
        return ShimRequests.encode(new PluginFrames.Request(env, stdin.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void listensBesideIpamdsSocketOnlyForItsOwner() throws IOException {
        assertThat(server.socketPath()).isEqualTo(dir.resolve("plugin.sock"));
        assertThat(Files.getPosixFilePermissions(server.socketPath()))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void runsAnInvocationAndAnswersItsExitStatusAndStdout() throws IOException {
        String reply = exchange(request(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}"));

        String version = "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}";
        assertThat(reply).isEqualTo("vpc-cni-plugin/1\nexit 0 " + version.length() + "\n" + version);
        assertThat(server.served()).isEqualTo(1);
    }

    @Test
    void aPluginErrorTravelsAsTheSpecsErrorObjectWithExitStatusOne() throws IOException {
        String reply = exchange(request(Map.of("CNI_COMMAND", "ADD"), "{\"cniVersion\":\"1.0.0\""));

        assertThat(reply).startsWith("vpc-cni-plugin/1\nexit 1 ").contains("\n{\"cniVersion\":\"1.1.0\",\"code\":4,");
        assertThat(server.served()).isEqualTo(1);
    }

    @Test
    void aGarbledRequestIsAnsweredWithDecodeErrorAndRunsNothing() throws IOException {
        String reply = exchange("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        assertThat(reply).startsWith("vpc-cni-plugin/1\nexit 1 ").contains("\n{\"cniVersion\":\"1.1.0\",\"code\":6,")
                .contains("malformed request from the shim: the request does not start with");
        assertThat(server.served()).isZero();
    }

    @Test
    void aVariableThePluginDoesNotReadIsRefused() throws IOException {
        byte[] frame = "vpc-cni-plugin/1\nCNI_COMMAND=VERSION\0LD_PRELOAD=/tmp/x.so\0\0{}"
                .getBytes(StandardCharsets.UTF_8);

        assertThat(exchange(frame)).contains("\"code\":6,").contains("LD_PRELOAD is not one the plugin reads");
        assertThat(server.served()).isZero();
    }

    @Test
    void anOversizedRequestIsLeftToTheStandalonePlugin() throws IOException {
        byte[] stdin = new byte[PluginFrames.MAX_REQUEST_BYTES];
        Arrays.fill(stdin, (byte) ' ');
        String reply = exchange(request(Map.of("CNI_COMMAND", "VERSION"), new String(stdin, StandardCharsets.US_ASCII)));

        assertThat(reply).isEqualTo("vpc-cni-plugin/1\nunserved request larger than 1048576 bytes\n");
        assertThat(server.served()).isZero();
    }

    @Test
    void aNetnsTheDaemonCannotSeeIsLeftToTheStandalonePlugin() throws IOException {
        Path missing = dir.resolve("netns-elsewhere");
        String reply = exchange(request(Map.of("CNI_COMMAND", "ADD", "CNI_NETNS", missing.toString()), "{}"));

        assertThat(reply).isEqualTo("vpc-cni-plugin/1\nunserved netns " + missing + " is not visible to the daemon\n");
        assertThat(server.served()).isZero();
    }

    /**
     * containerd's placeholder as the daemon sees it when containerd is in another mount namespace: the empty file
     * without the namespace mounted over it. Only the standalone plugin, run by the runtime, sees the mount.
     */
    @Test
    void aNetnsThatIsAnEmptyFileHereIsLeftToTheStandalonePlugin() throws IOException {
        Path placeholder = Files.createFile(dir.resolve("cni-1234"));
        String reply = exchange(request(Map.of("CNI_COMMAND", "ADD", "CNI_NETNS", placeholder.toString()), "{}"));

        assertThat(reply).isEqualTo("vpc-cni-plugin/1\nunserved netns " + placeholder + " is not visible to the "
                + "daemon: it is a regular file here, not a namespace (a runtime in another mount namespace mounts "
                + "it there)\n");
        assertThat(server.served()).isZero();
        assertThat(PluginServer.notANamespaceHere(Path.of("/proc/self/ns/net"))).isEmpty();
    }

    @Test
    void theCapabilityToEnterNamespacesIsReadFromTheEffectiveSet() {
        String root = "Name:\tjava\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n";
        String netAdminOnly = "CapPrm:\t000001ffffffffff\nCapEff:\t0000000000003000\n"; // NET_ADMIN, NET_RAW

        assertThat(PluginServer.hasEffectiveCapability(root, PluginServer.CAP_SYS_ADMIN)).isTrue();
        assertThat(PluginServer.hasEffectiveCapability(netAdminOnly, PluginServer.CAP_SYS_ADMIN)).isFalse();
        assertThat(PluginServer.hasEffectiveCapability("Name:\tx\n", PluginServer.CAP_SYS_ADMIN)).isFalse();
        assertThat(PluginServer.missingPrivilege()).isEmpty(); // the tests run as root, outside containers
    }

    @Test
    void theServerNeedsToEnterNamespacesToConfigureLinksAndToWriteProcSys() {
        String imageSet = "CapEff:\t0000000000203000\n"; // SYS_ADMIN, NET_ADMIN, NET_RAW: the image's
        String sysAdminOnly = "CapEff:\t0000000000200000\n";
        String netAdminOnly = "CapEff:\t0000000000003000\n";
        Path root = PluginServer.HOST_PROC_SYS;

        assertThat(PluginServer.missingPrivilege(imageSet, root, true)).isEmpty();
        assertThat(PluginServer.missingPrivilege(netAdminOnly, root, true)).get().asString()
                .contains("lacks CAP_SYS_ADMIN");
        assertThat(PluginServer.missingPrivilege(sysAdminOnly, root, true)).get().asString()
                .contains("lacks CAP_NET_ADMIN");
        assertThat(PluginServer.missingPrivilege(imageSet, Path.of("/proc/sys"), false)).get().asString()
                .contains("/proc/sys is read-only").contains("mount the host's /proc/sys/net at /host/proc/sys/net");
    }
}
