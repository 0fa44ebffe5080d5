package io.vpccni.netlink.sys;

import io.vpccni.netlink.error.Errno;
import io.vpccni.netlink.error.NetlinkException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JNI system calls: results come back as they are, failures with the right errno. */
class LibCTest {
    @Test
    void aSocketOpensAndCloses() {
        int fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
        assertThat(fd).isPositive();
        LibC.close(fd);
    }

    @Test
    void errnoOfAFailedCallIsCapturedAndNamed() {
        assertThatThrownBy(() -> LibC.close(Integer.MAX_VALUE))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("close fd 2147483647: Bad file descriptor (EBADF)")
                .extracting(e -> ((NetlinkException) e).errno()).isEqualTo(Errno.EBADF);
        assertThatThrownBy(() -> LibC.socket(12345, LibC.SOCK_RAW, 0))
                .isInstanceOf(NetlinkException.class)
                .extracting(e -> ((NetlinkException) e).errno()).isEqualTo(Errno.EAFNOSUPPORT);
    }

    @Test
    void openOfAMissingFileIsNoSuchObject() {
        assertThatThrownBy(() -> LibC.openReadOnly("/nonexistent/vpccni"))
                .isInstanceOf(NetlinkException.NoSuchObject.class)
                .hasMessageStartingWith("open /nonexistent/vpccni: No such file or directory");
    }

    @Test
    void unixStreamRoundTripWithHalfClose(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel server = listeningAt(path)) {
            int fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
            try {
                LibC.setSendTimeout(fd, Duration.ofSeconds(5));
                LibC.connectUnix(fd, path.toString());
                byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
                assertThat(LibC.send(fd, hello, 1, 4, "test")).isEqualTo(4);
                LibC.shutdownOutput(fd, "test");
                try (SocketChannel peer = server.accept()) {
                    ByteBuffer got = ByteBuffer.allocate(16);
                    while (peer.read(got) >= 0) {
                        // to end of stream: the half-close arrived
                    }
                    assertThat(new String(got.array(), 0, got.position(), StandardCharsets.UTF_8)).isEqualTo("ello");
                    peer.write(ByteBuffer.wrap(new byte[] {7, 8, 9}));
                }
                byte[] reply = new byte[8];
                assertThat(LibC.receive(fd, reply, 2, 6, "test")).isEqualTo(3);
                assertThat(reply).startsWith(0, 0, 7, 8, 9);
                assertThat(LibC.receive(fd, reply, 0, 8, "test")).isZero(); // end of stream
            } finally {
                LibC.close(fd);
            }
        }
    }

    @Test
    void unixConnectFailuresCarryTheirErrno(@TempDir Path dir) throws Exception {
        int fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        try {
            assertThatThrownBy(() -> LibC.connectUnix(fd, dir.resolve("absent.sock").toString()))
                    .isInstanceOf(NetlinkException.NoSuchObject.class);
            Path stale = dir.resolve("stale.sock");
            listeningAt(stale).close(); // the file stays, nobody listens
            assertThatThrownBy(() -> LibC.connectUnix(fd, stale.toString()))
                    .isInstanceOf(NetlinkException.class)
                    .extracting(e -> ((NetlinkException) e).errno()).isEqualTo(Errno.ECONNREFUSED);
            assertThatThrownBy(() -> LibC.connectUnix(fd, "/" + "x".repeat(LibC.UNIX_PATH_MAX)))
                    .isInstanceOf(NetlinkException.class).hasMessageContaining("not a usable Unix socket path");
        } finally {
            LibC.close(fd);
        }
    }

    @Test
    void receiveTimeoutIsEagain(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("quiet.sock");
        try (ServerSocketChannel server = listeningAt(path)) {
            int fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
            try {
                LibC.connectUnix(fd, path.toString());
                LibC.setReceiveTimeout(fd, Duration.ofMillis(50));
                assertThatThrownBy(() -> LibC.receive(fd, new byte[4], 0, 4, "test"))
                        .isInstanceOf(NetlinkException.class)
                        .extracting(e -> ((NetlinkException) e).errno()).isEqualTo(Errno.EAGAIN);
            } finally {
                LibC.close(fd);
            }
        }
    }

    /** A JDK Unix-domain server at {@code path}: the peer our calls are checked against. */
    private static ServerSocketChannel listeningAt(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        return server;
    }
}
