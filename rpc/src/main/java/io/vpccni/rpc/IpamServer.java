package io.vpccni.rpc;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * ipamd's side: binds the socket (see {@link SocketFiles}), accepts on a platform thread, and
 * serves each connection on a virtual thread. A request that is oversized, truncated, garbled or
 * of another version is answered with a {@link Failure} without reaching the handler. The
 * handler's own time is not bounded here (it bounds its pool wait itself); reading the request and
 * writing the reply each have {@code ioTimeout}, enforced by closing the channel.
 */
public final class IpamServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IpamServer.class.getName());
    private static final long DRAIN_LIMIT = 16L * Protocol.MAX_MESSAGE_BYTES;

    private final Path socketPath;
    private final Object fileKey;
    private final ServerSocketChannel server;
    private final Function<IpamRequest, IpamReply> handler;
    private final Duration ioTimeout;
    private final ExecutorService connections = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledThreadPoolExecutor timer;
    private final Thread acceptor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private IpamServer(Path socketPath, Function<IpamRequest, IpamReply> handler,
            Duration ioTimeout) throws IOException {
        this.socketPath = socketPath;
        this.handler = handler;
        this.ioTimeout = ioTimeout;
        this.server = SocketFiles.bind(socketPath);
        this.fileKey = SocketFiles.fileKey(socketPath);
        this.timer = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon()
                .name("ipam-rpc-timeouts").unstarted(r));
        timer.setRemoveOnCancelPolicy(true);
        this.acceptor = Thread.ofPlatform().daemon().name("ipam-rpc-accept")
                .unstarted(this::acceptLoop);
    }

    public static IpamServer start(Path socketPath, Function<IpamRequest, IpamReply> handler)
            throws IOException {
        return start(socketPath, handler, Protocol.DEFAULT_SERVER_IO_TIMEOUT);
    }

    public static IpamServer start(Path socketPath, Function<IpamRequest, IpamReply> handler,
            Duration ioTimeout) throws IOException {
        Objects.requireNonNull(handler, "handler");
        if (ioTimeout.isNegative() || ioTimeout.isZero()) {
            throw new IllegalArgumentException("ioTimeout must be positive: " + ioTimeout);
        }
        IpamServer s = new IpamServer(socketPath, handler, ioTimeout);
        s.acceptor.start();
        return s;
    }

    public Path socketPath() {
        return socketPath;
    }

    private void acceptLoop() {
        while (!closed.get()) {
            try {
                SocketChannel c = server.accept();
                try {
                    connections.execute(() -> serve(c));
                } catch (RejectedExecutionException shuttingDown) {
                    closeQuietly(c);
                    return;
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (closed.get()) {
                    return;
                }
                // e.g. EMFILE: keep serving, but do not spin on a persistent error.
                LOG.log(Level.WARNING, "accept on " + socketPath + " failed", e);
                LockSupport.parkNanos(10_000_000L);
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            Incoming in = withDeadline(c, () -> readRequest(c));
            byte[] reply = encode(in.oversized()
                    ? Failure.of(ReasonCode.BAD_REQUEST, "bad request: message exceeds the limit of "
                            + Protocol.MAX_MESSAGE_BYTES + " bytes")
                    : answer(in.bytes()));
            withDeadline(c, () -> {
                ByteBuffer buf = ByteBuffer.wrap(reply);
                while (buf.hasRemaining()) {
                    c.write(buf);
                }
                c.shutdownOutput();
                if (in.oversized()) {
                    drain(c);
                }
                return null;
            });
        } catch (IOException e) {
            // The peer went away or was too slow; nothing can be told to it any more.
            LOG.log(Level.DEBUG, "rpc connection on " + socketPath + " ended early: " + e);
        }
    }

    /** A reply too large to send (a huge GC list) is replaced by a Failure that says so. */
    private static byte[] encode(IpamReply reply) {
        try {
            return IpamCodec.encode(reply);
        } catch (ProtocolException e) {
            LOG.log(Level.ERROR, "rpc reply cannot be sent: " + e.getMessage());
            try {
                return IpamCodec.encode(Failure.of(ReasonCode.INTERNAL,
                        "ipamd reply cannot be sent: " + e.getMessage()));
            } catch (ProtocolException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    private record Incoming(byte[] bytes, boolean oversized) {}

    private interface Io<T> {
        T run() throws IOException;
    }

    /** Runs blocking channel I/O that the timer cuts off, by closing the channel, at ioTimeout. */
    private <T> T withDeadline(SocketChannel c, Io<T> io) throws IOException {
        var watchdog = timer.schedule(() -> closeQuietly(c), ioTimeout.toNanos(),
                TimeUnit.NANOSECONDS);
        try {
            return io.run();
        } finally {
            watchdog.cancel(false);
        }
    }

    /** Reads to end of stream (the client shut its output), or one byte past the limit. */
    private static Incoming readRequest(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(Protocol.MAX_MESSAGE_BYTES + 1);
        while (buf.hasRemaining() && c.read(buf) >= 0) {
            // keep reading
        }
        return new Incoming(Arrays.copyOf(buf.array(), buf.position()), !buf.hasRemaining());
    }

    /**
     * After answering an oversized request, read and drop the rest: closing with unread input
     * makes the kernel reset the connection, and the client would lose the reply we just sent.
     * Bounded by the deadline and by DRAIN_LIMIT.
     */
    private static void drain(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        long total = 0;
        while (total < DRAIN_LIMIT) {
            int n = c.read(buf.clear());
            if (n < 0) {
                return;
            }
            total += n;
        }
    }

    private IpamReply answer(byte[] bytes) {
        IpamRequest request;
        try {
            request = IpamCodec.decodeRequest(bytes);
        } catch (VersionMismatchException e) {
            return Failure.of(ReasonCode.VERSION_MISMATCH, e.getMessage());
        } catch (ProtocolException e) {
            return Failure.of(ReasonCode.BAD_REQUEST, "bad request: " + e.getMessage());
        }
        return call(request);
    }

    private IpamReply call(IpamRequest request) {
        IpamReply reply;
        try {
            reply = handler.apply(request);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "rpc handler failed on " + request, e);
            return Failure.of(ReasonCode.INTERNAL, "ipamd failed: " + e);
        }
        if (!answers(request, reply)) {
            LOG.log(Level.ERROR, "rpc handler answered " + request + " with " + reply);
            return Failure.of(ReasonCode.INTERNAL, "ipamd produced no valid reply");
        }
        return reply;
    }

    /** A reply must be the request's own success type or a Failure. */
    private static boolean answers(IpamRequest request, IpamReply reply) {
        if (reply instanceof Failure) {
            return true;
        }
        return switch (request) {
            case AddRequest a -> reply instanceof AddOk;
            case DelRequest d -> reply instanceof DelOk;
            case StatusRequest s -> reply instanceof StatusOk;
            case GcRequest g -> reply instanceof GcOk;
        };
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is how the timeout is enforced; a failure here changes nothing
        }
    }

    /** Stops accepting, lets in-flight connections finish briefly, deletes the socket file. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing " + socketPath + " failed", e);
        }
        connections.shutdown();
        try {
            if (!connections.awaitTermination(ioTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                connections.shutdownNow();
            }
            acceptor.join(ioTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        try {
            if (fileKey != null && fileKey.equals(SocketFiles.fileKey(socketPath))) {
                Files.deleteIfExists(socketPath);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "deleting " + socketPath + " failed", e);
        }
    }
}
