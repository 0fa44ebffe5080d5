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
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One request and one reply per connection on a Unix socket (see {@link SocketFiles} for the file's
 * life): the client writes its request and shuts its output, the server answers and closes. A
 * request longer than the limit is answered by {@link Exchange#oversized} without being read in full.
 * Reading the request and writing the reply each have {@code ioTimeout}, enforced by closing the
 * channel; the exchange's own time is not bounded here. Shared by ipamd's RPC ({@link IpamServer})
 * and the daemon-side CNI plugin server.
 */
public final class UnixRequestServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UnixRequestServer.class.getName());

    /** What the server says to a request. Runs on a connection thread; may block. */
    public interface Exchange {
        byte[] answer(byte[] request);

        /** The reply to a request of more than {@code limit} bytes. */
        byte[] oversized(int limit);
    }

    private final String name;
    private final Path socketPath;
    private final Object fileKey;
    private final ServerSocketChannel server;
    private final int maxRequestBytes;
    private final Duration ioTimeout;
    private final Exchange exchange;
    private final ExecutorService connections;
    private final ScheduledThreadPoolExecutor timer;
    private final Thread acceptor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private UnixRequestServer(String name, Path socketPath, int maxRequestBytes, Duration ioTimeout,
            ThreadFactory connectionThreads, Exchange exchange) throws IOException {
        this.name = name;
        this.socketPath = socketPath;
        this.maxRequestBytes = maxRequestBytes;
        this.ioTimeout = ioTimeout;
        this.exchange = exchange;
        this.server = SocketFiles.bind(socketPath);
        this.fileKey = SocketFiles.fileKey(socketPath);
        this.connections = Executors.newThreadPerTaskExecutor(connectionThreads);
        this.timer = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon()
                .name(name + "-timeouts").unstarted(r));
        timer.setRemoveOnCancelPolicy(true);
        this.acceptor = Thread.ofPlatform().daemon().name(name + "-accept").unstarted(this::acceptLoop);
    }

    /**
     * Binds {@code socketPath} and starts accepting.
     *
     * @param name              names the server's threads and log lines
     * @param connectionThreads one thread per connection: virtual unless the exchange blocks its OS thread
     */
    public static UnixRequestServer start(String name, Path socketPath, int maxRequestBytes, Duration ioTimeout,
            ThreadFactory connectionThreads, Exchange exchange) throws IOException {
        Objects.requireNonNull(exchange, "exchange");
        if (ioTimeout.isNegative() || ioTimeout.isZero()) {
            throw new IllegalArgumentException("ioTimeout must be positive: " + ioTimeout);
        }
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("maxRequestBytes must be positive: " + maxRequestBytes);
        }
        UnixRequestServer s = new UnixRequestServer(name, socketPath, maxRequestBytes, ioTimeout,
                connectionThreads, exchange);
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
                LOG.log(Level.WARNING, name + ": accept on " + socketPath + " failed", e);
                LockSupport.parkNanos(10_000_000L);
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            Incoming in = withDeadline(c, () -> readRequest(c));
            byte[] reply = in.oversized() ? exchange.oversized(maxRequestBytes) : exchange.answer(in.bytes());
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
            LOG.log(Level.DEBUG, name + ": connection on " + socketPath + " ended early: " + e);
        }
    }

    private record Incoming(byte[] bytes, boolean oversized) {}

    private interface Io<T> {
        T run() throws IOException;
    }

    /** Runs blocking channel I/O that the timer cuts off, by closing the channel, at ioTimeout. */
    private <T> T withDeadline(SocketChannel c, Io<T> io) throws IOException {
        var watchdog = timer.schedule(() -> closeQuietly(c), ioTimeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            return io.run();
        } finally {
            watchdog.cancel(false);
        }
    }

    /** Reads to end of stream (the client shut its output), or one byte past the limit. */
    private Incoming readRequest(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(maxRequestBytes + 1);
        while (buf.hasRemaining() && c.read(buf) >= 0) {
            // keep reading
        }
        return new Incoming(Arrays.copyOf(buf.array(), buf.position()), !buf.hasRemaining());
    }

    /**
     * After answering an oversized request, read and drop the rest: closing with unread input
     * makes the kernel reset the connection, and the client would lose the reply we just sent.
     * Bounded by the deadline and by 16 times the limit.
     */
    private void drain(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        long total = 0;
        while (total < 16L * maxRequestBytes) {
            int n = c.read(buf.clear());
            if (n < 0) {
                return;
            }
            total += n;
        }
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
            LOG.log(Level.WARNING, name + ": closing " + socketPath + " failed", e);
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
            LOG.log(Level.WARNING, name + ": deleting " + socketPath + " failed", e);
        }
    }
}
