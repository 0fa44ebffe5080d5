package io.vpccni.rpc;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The plugin's side: one connection per call, the request written and the write side shut down,
 * then the reply read to end of stream. A single deadline covers connect, write and read; the
 * channel is non-blocking under a selector so the deadline needs no extra thread.
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
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            SelectionKey key = ch.register(selector, 0);
            connect(ch, key, deadline);
            ByteBuffer buf = ByteBuffer.wrap(out);
            while (buf.hasRemaining()) {
                if (ch.write(buf) == 0) {
                    await(key, SelectionKey.OP_WRITE, deadline, "sending the request");
                }
            }
            ch.shutdownOutput();
            return IpamCodec.decodeReply(readReply(ch, key, deadline));
        }
    }

    private void connect(SocketChannel ch, SelectionKey key, long deadline) throws IOException {
        try {
            if (!ch.connect(UnixDomainSocketAddress.of(socketPath))) {
                await(key, SelectionKey.OP_CONNECT, deadline, "connecting");
                ch.finishConnect();
            }
        } catch (ConnectException e) {
            throw new IpamUnreachableException(
                    "ipamd is not listening on " + socketPath + ": " + e.getMessage(), e);
        } catch (SocketException e) {
            // A missing socket file surfaces as a bare SocketException (ENOENT).
            if (!Files.exists(socketPath, LinkOption.NOFOLLOW_LINKS)) {
                throw new IpamUnreachableException("no ipamd socket at " + socketPath, e);
            }
            throw e;
        }
    }

    private byte[] readReply(SocketChannel ch, SelectionKey key, long deadline)
            throws IOException, ProtocolException {
        // One byte over the limit tells "too long" apart from "exactly at the limit".
        ByteBuffer buf = ByteBuffer.allocate(Protocol.MAX_MESSAGE_BYTES + 1);
        while (true) {
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            if (!buf.hasRemaining()) {
                throw new ProtocolException(
                        "reply exceeds the limit of " + Protocol.MAX_MESSAGE_BYTES + " bytes");
            }
            if (n == 0) {
                await(key, SelectionKey.OP_READ, deadline, "waiting for the reply");
            }
        }
        if (buf.position() == 0) {
            throw new IOException("ipamd closed the connection without a reply");
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }

    private void await(SelectionKey key, int op, long deadline, String phase) throws IOException {
        key.interestOps(op);
        Selector selector = key.selector();
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new IpamTimeoutException("ipamd did not answer within " + timeout
                        + " (" + phase + ", socket " + socketPath + ")");
            }
            int ready = selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
            selector.selectedKeys().clear();
            if (ready > 0) {
                return;
            }
        }
    }
}
