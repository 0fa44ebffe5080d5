package io.vpccni.rpc.unix;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request/reply server whose cost is bounded whatever its clients do: one selector thread accepts and reads
 * every connection without blocking, so an idle or trickling client costs a descriptor and a few hundred bytes,
 * never a thread; only a complete request reaches a worker thread, and at most {@code maxInFlight} run at once
 * (the rest wait in order). Each connection's buffer grows with what arrives, up to one byte past
 * {@code maxRequestBytes}, and all of them together, with the complete requests waiting for or being answered,
 * hold at most {@code maxBufferedBytes}: past that, the oldest connections still sending are closed to make room,
 * or the one that needs more is.
 *
 * <p>Bounds: at most {@code maxConnections} open connections; when a new one would exceed that, the oldest
 * connection still sending its request is closed to make room (so a flood of slow clients cannot lock out a
 * quick one), and when every connection is already past that stage the new one is refused. Receiving the
 * request must finish within {@code readTimeout} of the accept, sending the reply within {@code writeTimeout}
 * of its start; a late connection is closed. The handler's own time is not bounded here. The selector thread
 * survives anything thrown in it and logs it; so does a worker.
 *
 * <p>The worker that answered writes the reply as far as the socket takes it at once (all of it, for a reply smaller
 * than the socket's buffer), so a handler can learn whether the client was still there ({@link Reply#send}); the
 * selector thread writes the rest.
 *
 * <p>After the reply the server shuts its output and reads (dropping it) what the client still sends until the
 * client closes, within the write time-out and 16 times the request limit: closing with unread input would make
 * the kernel reset the connection, and the client would lose the reply.
 */
public final class BoundedServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BoundedServer.class.getName());
    private static final byte[] NOTHING = new byte[0];
    private static final int FIRST_BUFFER_BYTES = 512;
    private static final long CHECK_NANOS = 100_000_000L;
    private static final long ACCEPT_PAUSE_NANOS = 100_000_000L;
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;

    /** The server's bounds; see the class comment. */
    public record Limits(int maxConnections, int maxInFlight, int maxRequestBytes, long maxBufferedBytes,
                         Duration readTimeout, Duration writeTimeout) {
        public Limits {
            positive("maxConnections", maxConnections);
            if (maxBufferedBytes < maxRequestBytes + 1L) {
                throw new IllegalArgumentException("maxBufferedBytes must hold one request of maxRequestBytes: "
                        + maxBufferedBytes + " < " + (maxRequestBytes + 1L));
            }
            positive("maxInFlight", maxInFlight);
            positive("maxRequestBytes", maxRequestBytes);
            Objects.requireNonNull(readTimeout, "readTimeout");
            Objects.requireNonNull(writeTimeout, "writeTimeout");
            if (readTimeout.isNegative() || readTimeout.isZero() || writeTimeout.isNegative()
                    || writeTimeout.isZero()) {
                throw new IllegalArgumentException("time-outs must be positive: read " + readTimeout + ", write "
                        + writeTimeout);
            }
        }

        private static void positive(String what, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(what + " must be positive: " + value);
            }
        }
    }

    /** What the server does with the bytes of a connection. */
    public interface Handler {
        /**
         * Whether {@code buf[0, len)} is a whole request; {@code eof}: the client has shut its output, and no
         * more will come (a request that is not complete then is dropped with its connection).
         */
        boolean complete(byte[] buf, int len, boolean eof);

        /** The reply to a complete request. Runs on a worker thread; may block. */
        byte[] answer(byte[] request);

        /**
         * Answers a complete request and sends the reply through {@code reply}, on a worker thread: by default
         * what {@link #answer(byte[])} returns. A handler that must know whether its client was still there to
         * take the reply (to undo work nobody will hear of) overrides this; not sending closes the connection.
         */
        default void answer(byte[] request, Reply reply) {
            reply.send(answer(request));
        }

        /** The reply to a request of more than {@code limit} bytes. Runs on the selector thread: keep it cheap. */
        byte[] oversized(int limit);

        /**
         * Reads what has arrived for a request into {@code into}, as {@link SocketChannel#read} does; on the selector
         * thread. By default the channel's read, with which the kernel drops (closes) any descriptor a client
         * passes; a handler whose requests may carry one reads it into {@code passed} ({@link PassedDescriptor}).
         */
        default int read(SocketChannel channel, ByteBuffer into, PassedDescriptor passed) throws IOException {
            return channel.read(into);
        }

        /**
         * As {@link #answer(byte[], Reply)}, with the descriptor the client passed, if any: valid until this returns,
         * when the server closes it.
         */
        default void answer(byte[] request, PassedDescriptor passed, Reply reply) {
            answer(request, reply);
        }
    }

    /** A connection's reply, sent from the worker thread that answered its request. */
    public interface Reply {
        /**
         * Writes what the connection's socket takes of {@code reply} at once, from the calling thread, and leaves
         * the rest to the selector thread. Only the first call counts.
         *
         * @return false when the client is gone (the write failed: it closed its end, or was killed) or the
         *         connection was closed meanwhile; true when the kernel took the reply, or its first bytes, for it
         */
        boolean send(byte[] reply);
    }

    /**
     * What the server has done so far, for tests and logs: connections accepted; closed to stay within the
     * connection cap or the byte budget; refused at the cap; closed past a time-out; open now.
     */
    public record Counts(long accepted, long evicted, long refused, long timedOut, int open) {}

    private enum State { READING, ANSWERING, WRITING, DRAINING }

    private final class Conn {
        final SocketChannel channel;
        SelectionKey key;
        State state = State.READING;
        long deadline;
        byte[] buf = NOTHING;
        int len;
        boolean eof;
        ByteBuffer out;
        long drainBudget;
        /** The client's descriptor while the request arrives; moves to the worker with the request. */
        PassedDescriptor passed = new PassedDescriptor();

        Conn(SocketChannel channel, long deadline) {
            this.channel = channel;
            this.deadline = deadline;
        }
    }

    private final String name;
    private final ServerSocketChannel server;
    private final Limits limits;
    private final Handler handler;
    private final ThreadFactory workers;
    private final Selector selector;
    private final Thread loop;
    /** Accept order, oldest first: the eviction order. Touched by the selector thread only. */
    private final LinkedHashSet<Conn> open = new LinkedHashSet<>();
    private final Queue<Runnable> toSelector = new ConcurrentLinkedQueue<>();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
    private final Object workLock = new Object();
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int running;
    private volatile boolean closing;
    private final AtomicBoolean closeCalled = new AtomicBoolean();
    /** Bytes held by the buffers of connections still sending. Touched by the selector thread only. */
    private long buffered;
    /** Bytes of complete requests handed to workers and not yet answered. */
    private final AtomicLong answering = new AtomicLong();
    private long nextCheck;
    private long acceptPausedUntil;
    private long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private volatile int openCount;

    private BoundedServer(String name, ServerSocketChannel server, Limits limits, ThreadFactory workers,
                          Handler handler) throws IOException {
        this.name = name;
        this.server = server;
        this.limits = limits;
        this.handler = handler;
        this.workers = workers;
        this.selector = Selector.open();
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.loop = Thread.ofPlatform().daemon().name(name + "-selector").unstarted(this::run);
    }

    /**
     * Serves on {@code server} (bound already; the server closes it) until {@link #close}.
     *
     * @param name    names the threads and log lines
     * @param workers threads for {@link Handler#answer}: virtual unless the handler blocks its OS thread
     */
    public static BoundedServer start(String name, ServerSocketChannel server, Limits limits, ThreadFactory workers,
                                      Handler handler) throws IOException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(limits, "limits");
        BoundedServer s = new BoundedServer(name, server, limits, workers, handler);
        s.loop.start();
        return s;
    }

    public Counts counts() {
        return new Counts(accepted.get(), evicted.get(), refused.get(), timedOut.get(), openCount);
    }

    private void run() {
        while (true) {
            try {
                if (closing && open.isEmpty()) {
                    return;
                }
                long now = System.nanoTime();
                long wait = Math.max(1, (nextCheck - now) / 1_000_000);
                selector.select(Math.min(wait, CHECK_NANOS / 1_000_000));
                Runnable task;
                while ((task = toSelector.poll()) != null) {
                    task.run();
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    handle(key);
                }
                now = System.nanoTime();
                if (now - nextCheck >= 0) {
                    expire(now);
                    nextCheck = now + CHECK_NANOS;
                }
            } catch (ClosedSelectorException e) {
                return;
            } catch (Throwable e) {
                // Whatever it is, a dead selector thread would leave every client hanging: log it and go on.
                warn("the selector loop failed; it goes on", e);
                parkBriefly();
            }
        }
    }

    private void handle(SelectionKey key) {
        if (key.attachment() == null) {
            acceptSome();
            return;
        }
        Conn c = (Conn) key.attachment();
        try {
            if (!key.isValid()) {
                return;
            }
            if (key.isReadable()) {
                readable(c);
            } else if (key.isWritable()) {
                writeSome(c);
            }
        } catch (IOException | CancelledKeyException e) {
            // The client went away or reset the connection; nothing can be told to it any more.
            LOG.log(Level.DEBUG, name + ": connection ended early: " + e);
            close(c);
        } catch (Throwable e) {
            warn("serving a connection failed; closed it", e);
            close(c);
        }
    }

    private void acceptSome() {
        for (int i = 0; i < 64 && !closing; i++) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                // e.g. EMFILE: the pending connection stays in the backlog; retry a little later, without spinning.
                warn("accept failed; accepting again in " + ACCEPT_PAUSE_NANOS / 1_000_000 + " ms", e);
                acceptPausedUntil = System.nanoTime() + ACCEPT_PAUSE_NANOS;
                setAccepting(false);
                return;
            }
            if (channel == null) {
                return;
            }
            accepted.incrementAndGet();
            admit(channel);
        }
    }

    private void admit(SocketChannel channel) {
        if (open.size() >= limits.maxConnections() && !evictOldestReading()) {
            refused.incrementAndGet();
            warn(limits.maxConnections() + " connections open, none of them still sending its request; refused"
                    + " a new one", null);
            closeQuietly(channel);
            return;
        }
        Conn c = new Conn(channel, System.nanoTime() + limits.readTimeout().toNanos());
        try {
            channel.configureBlocking(false);
            c.key = channel.register(selector, SelectionKey.OP_READ, c);
        } catch (IOException e) {
            closeQuietly(channel);
            return;
        }
        open.add(c);
        openCount = open.size();
    }

    private boolean evictOldestReading() {
        for (Conn c : open) {
            if (c.state == State.READING) {
                evicted.incrementAndGet();
                warn(limits.maxConnections() + " connections open; closed the oldest one still sending its"
                        + " request to make room", null);
                close(c);
                return true;
            }
        }
        return false;
    }

    private void readable(Conn c) throws IOException {
        int n = c.state == State.DRAINING ? c.channel.read(scratch.clear())
                : handler.read(c.channel, scratch.clear(), c.passed);
        if (c.state == State.DRAINING) {
            c.drainBudget -= Math.max(n, 0);
            if (n < 0 || c.drainBudget < 0) {
                close(c);
            }
            return;
        }
        if (n < 0) {
            c.eof = true;
            c.key.interestOps(0);
        } else {
            append(c, scratch.flip());
        }
        if (c.len > limits.maxRequestBytes()) {
            buffered -= c.buf.length;
            c.buf = NOTHING;
            c.drainBudget = 16L * limits.maxRequestBytes();
            startWrite(c, handler.oversized(limits.maxRequestBytes()));
        } else if (handler.complete(c.buf, c.len, c.eof)) {
            dispatch(c);
        } else if (c.eof) {
            close(c);
        }
    }

    private void append(Conn c, ByteBuffer data) throws IOException {
        int room = limits.maxRequestBytes() + 1 - c.len;
        int n = Math.min(data.remaining(), room);
        if (c.len + n > c.buf.length) {
            long size = Math.max(FIRST_BUFFER_BYTES, c.buf.length);
            while (size < c.len + n) {
                size *= 2;
            }
            int grown = (int) Math.min(size, limits.maxRequestBytes() + 1L);
            makeRoom(c, grown - c.buf.length);
            if (held() + grown - c.buf.length > limits.maxBufferedBytes()) {
                evicted.incrementAndGet();
                throw new IOException("no room for " + grown + " bytes of request within the "
                        + limits.maxBufferedBytes() + " all requests in progress may hold");
            }
            buffered += grown - c.buf.length;
            c.buf = Arrays.copyOf(c.buf, grown);
        }
        data.get(c.buf, c.len, n);
        c.len += n;
    }

    /** Closes the oldest other connections still sending until {@code more} bytes fit in the budget. */
    private void makeRoom(Conn growing, long more) {
        Iterator<Conn> oldest = open.iterator();
        int closed = 0;
        while (held() + more > limits.maxBufferedBytes() && oldest.hasNext()) {
            Conn c = oldest.next();
            if (c != growing && c.state == State.READING && c.buf.length > 0) {
                oldest.remove();
                release(c);
                closeQuietly(c.channel);
                closed++;
            }
        }
        openCount = open.size();
        if (closed > 0) {
            evicted.addAndGet(closed);
            warn("requests in progress hold more than " + limits.maxBufferedBytes() + " bytes; closed the "
                    + closed + " oldest", null);
        }
    }

    private long held() {
        return buffered + answering.get();
    }

    private void release(Conn c) {
        buffered -= c.buf.length;
        c.buf = NOTHING;
        if (c.passed != null) {
            c.passed.close();
        }
        if (c.key != null) {
            c.key.cancel();
        }
    }

    private void dispatch(Conn c) {
        c.state = State.ANSWERING;
        c.key.interestOps(0);
        byte[] request = Arrays.copyOf(c.buf, c.len);
        buffered -= c.buf.length;
        answering.addAndGet(request.length);
        c.buf = NOTHING;
        c.drainBudget = 16L * limits.maxRequestBytes();
        PassedDescriptor passed = c.passed;
        c.passed = null;
        submit(() -> {
            ConnReply reply = new ConnReply(c);
            try {
                handler.answer(request, passed, reply);
            } catch (Throwable e) {
                warn("answering a request failed; closed its connection", e);
            } finally {
                answering.addAndGet(-request.length);
                passed.close();
            }
            if (!reply.sent) {
                toSelector.add(() -> close(c));
                selector.wakeup();
            }
        });
    }

    /**
     * Written from the worker while the connection is ANSWERING: the selector thread neither reads nor writes it
     * then (no interest ops), and only closes it (on {@link #close}), which makes the write fail.
     */
    private final class ConnReply implements Reply {
        private final Conn c;
        private boolean sent;

        ConnReply(Conn c) {
            this.c = c;
        }

        @Override
        public boolean send(byte[] reply) {
            if (sent) {
                return false;
            }
            sent = true;
            ByteBuffer out = ByteBuffer.wrap(reply);
            boolean taken = write(out);
            toSelector.add(() -> {
                if (!taken || !c.key.isValid()) {
                    close(c);
                } else {
                    startWrite(c, out);
                }
            });
            selector.wakeup();
            return taken;
        }

        private boolean write(ByteBuffer out) {
            try {
                c.channel.write(out);
                return true;
            } catch (IOException e) {
                LOG.log(Level.DEBUG, name + ": connection ended before its reply: " + e);
                return false;
            }
        }
    }

    private void startWrite(Conn c, byte[] reply) {
        startWrite(c, ByteBuffer.wrap(reply));
    }

    private void startWrite(Conn c, ByteBuffer reply) {
        c.state = State.WRITING;
        c.out = reply;
        c.deadline = System.nanoTime() + limits.writeTimeout().toNanos();
        try {
            writeSome(c);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, name + ": connection ended before its reply: " + e);
            close(c);
        }
    }

    private void writeSome(Conn c) throws IOException {
        c.channel.write(c.out);
        if (c.out.hasRemaining()) {
            c.key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        c.out = null;
        c.channel.shutdownOutput();
        if (c.eof) {
            close(c);
        } else {
            c.state = State.DRAINING;
            c.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void expire(long now) {
        if (acceptPausedUntil != 0 && now - acceptPausedUntil >= 0 && !closing) {
            acceptPausedUntil = 0;
            setAccepting(true);
        }
        List<Conn> late = null;
        for (Conn c : open) {
            if (c.state != State.ANSWERING && now - c.deadline >= 0) {
                if (late == null) {
                    late = new ArrayList<>();
                }
                late.add(c);
            }
        }
        if (late != null) {
            timedOut.addAndGet(late.size());
            LOG.log(Level.DEBUG, name + ": closed " + late.size() + " connections past their time-out");
            late.forEach(this::close);
        }
    }

    private void setAccepting(boolean on) {
        SelectionKey key = server.keyFor(selector);
        if (key != null && key.isValid()) {
            key.interestOps(on ? SelectionKey.OP_ACCEPT : 0);
        }
    }

    private void close(Conn c) {
        if (open.remove(c)) {
            openCount = open.size();
        }
        release(c);
        closeQuietly(c.channel);
    }

    private void submit(Runnable work) {
        synchronized (workLock) {
            if (running >= limits.maxInFlight()) {
                waiting.add(work);
                return;
            }
            running++;
        }
        startWorker(work);
    }

    /** A worker runs its task and then whatever waits, and ends when nothing does: no idle threads linger. */
    private void startWorker(Runnable first) {
        Runnable body = () -> {
            Runnable next = first;
            while (next != null) {
                next.run();
                synchronized (workLock) {
                    next = waiting.poll();
                    if (next == null) {
                        running--;
                    }
                }
            }
        };
        try {
            workers.newThread(body).start();
        } catch (Throwable e) {
            synchronized (workLock) {
                running--;
            }
            warn("could not start a worker thread; the request waits for a running one", e);
            synchronized (workLock) {
                waiting.addFirst(first);
            }
        }
    }

    /** Rate-limited: a flood must not turn into a flood of log lines. */
    private void warn(String what, Throwable e) {
        long now = System.nanoTime();
        synchronized (workLock) {
            if (now - lastWarning < WARN_EVERY_NANOS) {
                return;
            }
            lastWarning = now;
        }
        if (e == null) {
            LOG.log(Level.WARNING, name + ": " + what);
        } else {
            LOG.log(Level.WARNING, name + ": " + what + ": " + e, e);
        }
    }

    private static void parkBriefly() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing more can be done for this connection
        }
    }

    /**
     * Stops accepting, drops connections still sending their request, lets the others finish within the write
     * time-out, then closes everything.
     */
    @Override
    public void close() {
        if (!closeCalled.compareAndSet(false, true)) {
            return;
        }
        toSelector.add(() -> {
            closing = true;
            SelectionKey key = server.keyFor(selector);
            if (key != null) {
                key.cancel();
            }
            closeQuietly(server);
            new ArrayList<>(open).stream().filter(c -> c.state == State.READING).forEach(this::close);
        });
        selector.wakeup();
        try {
            loop.join(limits.writeTimeout().toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closing = true;
        closeQuietly(selector);
        try {
            loop.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        new ArrayList<>(open).forEach(c -> {
            closeQuietly(c.channel);
            PassedDescriptor passed = c.passed;
            if (passed != null) {
                passed.close();
            }
        });
        closeQuietly(server);
    }
}
