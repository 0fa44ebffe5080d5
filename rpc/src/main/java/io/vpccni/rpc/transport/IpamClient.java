package io.vpccni.rpc.transport;

import io.vpccni.netlink.error.Errno;
import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.sys.LibC;
import io.vpccni.rpc.codec.IpamCodec;
import io.vpccni.rpc.codec.Protocol;
import io.vpccni.rpc.codec.ProtocolException;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.IpamRequest;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * The plugin's side: one connection per call, the request written and the write side shut down,
 * then the reply read to end of stream. A single deadline covers connect, write and read: before
 * each blocking step the socket's send or receive timeout is set to what is left of it.
 *
 * <p>Why raw system calls (netlink's {@link LibC}) rather than a JDK {@code SocketChannel}: the
 * first Unix-domain channel in a JVM initialises a {@code SecureRandom} (the JDK's names for
 * unbound sockets), which loads the security providers: about a fifth of the CPU of a plugin
 * process, which makes exactly one call (BENCHMARKS.md).
 *
 * <p>A call blocks its OS thread in the kernel (a virtual thread pins its carrier meanwhile), so
 * many concurrent callers in one JVM belong on platform threads.
 *
 * <p>Outcomes: a decoded {@link IpamReply} (which may be a {@link Failure});
 * {@link IpamUnreachableException} when nothing listens; {@link IpamTimeoutException} past the
 * deadline; {@link ProtocolException} for a reply we cannot decode; any other
 * {@link IOException} for a connection that broke mid-way.
 */
public final class IpamClient {
    private final Path socketPath;
    private final Duration timeout;

    public IpamClient(Path socketPath, Duration timeout) {
        this.socketPath = Objects.requireNonNull(socketPath, "socketPath");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    public static IpamClient withDefaults() {
        return new IpamClient(Protocol.DEFAULT_SOCKET_PATH, Protocol.DEFAULT_CLIENT_TIMEOUT);
    }

    public Path socketPath() {
        return socketPath;
    }

    public IpamReply call(IpamRequest request) throws IOException, ProtocolException {
        byte[] out = IpamCodec.encode(request);
        long deadline = System.nanoTime() + timeout.toNanos();
        int fd = open();
        try {
            connect(fd, deadline);
            for (int sent = 0; sent < out.length; ) {
                LibC.setSendTimeout(fd, remaining(deadline, "sending the request"));
                try {
                    sent += LibC.send(fd, out, sent, out.length - sent, socketPath.toString());
                } catch (NetlinkException e) {
                    throw timeoutOr(e, "sending the request");
                }
            }
            LibC.shutdownOutput(fd, socketPath.toString());
            return IpamCodec.decodeReply(readReply(fd, deadline));
        } catch (NetlinkException e) {
            throw new IOException("ipamd connection on " + socketPath + " failed: " + e.getMessage(), e);
        } finally {
            LibC.close(fd);
        }
    }

    private static int open() throws IOException {
        try {
            return LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        } catch (NetlinkException e) {
            throw new IOException("cannot open a Unix socket: " + e.getMessage(), e);
        }
    }

    private void connect(int fd, long deadline) throws IOException {
        LibC.setSendTimeout(fd, remaining(deadline, "connecting"));
        try {
            LibC.connectUnix(fd, socketPath.toString());
        } catch (NetlinkException.NoSuchObject e) {
            throw new IpamUnreachableException("no ipamd socket at " + socketPath, e);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ECONNREFUSED) {
                throw new IpamUnreachableException("ipamd is not listening on " + socketPath + ": "
                        + e.getMessage(), e);
            }
            throw timeoutOr(e, "connecting");
        }
    }

    private byte[] readReply(int fd, long deadline) throws IOException, ProtocolException {
        // One byte over the limit tells "too long" apart from "exactly at the limit".
        byte[] buf = new byte[Protocol.MAX_MESSAGE_BYTES + 1];
        int length = 0;
        while (true) {
            LibC.setReceiveTimeout(fd, remaining(deadline, "waiting for the reply"));
            int n;
            try {
                n = LibC.receive(fd, buf, length, buf.length - length, socketPath.toString());
            } catch (NetlinkException e) {
                throw timeoutOr(e, "waiting for the reply");
            }
            if (n == 0) {
                break;
            }
            length += n;
            if (length == buf.length) {
                throw new ProtocolException(
                        "reply exceeds the limit of " + Protocol.MAX_MESSAGE_BYTES + " bytes");
            }
        }
        if (length == 0) {
            throw new IOException("ipamd closed the connection without a reply");
        }
        return Arrays.copyOf(buf, length);
    }

    /** What is left until the deadline, at least a millisecond (a zero timeout means "none"). */
    private Duration remaining(long deadline, String phase) throws IpamTimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timeout(phase);
        }
        return Duration.ofMillis(Math.max(1, left / 1_000_000));
    }

    private IOException timeoutOr(NetlinkException e, String phase) {
        if (e.errno() == Errno.EAGAIN || e.errno() == Errno.EINPROGRESS) {
            return timeout(phase);
        }
        return new IOException("ipamd connection on " + socketPath + " failed while " + phase + ": "
                + e.getMessage(), e);
    }

    private IpamTimeoutException timeout(String phase) {
        return new IpamTimeoutException("ipamd did not answer within " + timeout
                + " (" + phase + ", socket " + socketPath + ")");
    }
}
