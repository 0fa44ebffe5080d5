package io.vpccni.rpc.unix;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * One request and one reply per connection on a Unix socket (see {@link SocketFiles} for the file's
 * life): the client writes its request and shuts its output, the server answers and closes. A
 * request longer than the limit is answered by {@link Exchange#oversized} without being read in full.
 * Connections, bytes and time are bounded as {@link BoundedServer} describes; the exchange's own time
 * is not bounded here. Shared by ipamd's RPC ({@code rpc.transport.IpamServer}) and the daemon-side CNI plugin server.
 */
public final class UnixRequestServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UnixRequestServer.class.getName());

    /** What the server says to a request. Runs on a worker thread; may block. */
    public interface Exchange {
        byte[] answer(byte[] request);

        /**
         * Answers and sends the reply through {@code reply}: by default what {@link #answer(byte[])} returns. See
         * {@link BoundedServer.Handler#answer(byte[], BoundedServer.Reply)}.
         */
        default void answer(byte[] request, BoundedServer.Reply reply) {
            reply.send(answer(request));
        }

        /** The reply to a request of more than {@code limit} bytes. */
        byte[] oversized(int limit);

        /**
         * Whether a request may carry a descriptor (SCM_RIGHTS), read with recvmsg and handed to
         * {@link #answer(byte[], PassedDescriptor, BoundedServer.Reply)}; without, the kernel closes any a client
         * sends.
         */
        default boolean takesDescriptor() {
            return false;
        }

        /** As {@link #answer(byte[], BoundedServer.Reply)}, with the descriptor passed; see {@link PassedDescriptor}. */
        default void answer(byte[] request, PassedDescriptor passed, BoundedServer.Reply reply) {
            answer(request, reply);
        }
    }

    private final String name;
    private final Path socketPath;
    private final Object fileKey;
    private final BoundedServer server;

    private UnixRequestServer(String name, Path socketPath, BoundedServer.Limits limits, ThreadFactory workers,
            Exchange exchange) throws IOException {
        this.name = name;
        this.socketPath = socketPath;
        var channel = SocketFiles.bind(socketPath);
        this.fileKey = SocketFiles.fileKey(socketPath);
        try {
            this.server = BoundedServer.start(name, channel, limits, workers, new BoundedServer.Handler() {
                /** The selector thread's: read() runs there only. */
                private final byte[] received = exchange.takesDescriptor() ? new byte[64 * 1024] : null;

                @Override
                public int read(SocketChannel c, ByteBuffer into, PassedDescriptor passed) throws IOException {
                    return received == null ? c.read(into) : PassedDescriptor.read(c, into, passed, received);
                }

                @Override
                public void answer(byte[] request, PassedDescriptor passed, BoundedServer.Reply reply) {
                    exchange.answer(request, passed, reply);
                }

                @Override
                public boolean complete(byte[] buf, int len, boolean eof) {
                    return eof; // the client shuts its output after the request
                }

                @Override
                public byte[] answer(byte[] request) {
                    return exchange.answer(request);
                }

                @Override
                public void answer(byte[] request, BoundedServer.Reply reply) {
                    exchange.answer(request, reply);
                }

                @Override
                public byte[] oversized(int limit) {
                    return exchange.oversized(limit);
                }
            });
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Binds {@code socketPath} and starts serving.
     *
     * @param name    names the server's threads and log lines
     * @param workers threads that run the exchange: virtual unless the exchange blocks its OS thread
     */
    public static UnixRequestServer start(String name, Path socketPath, BoundedServer.Limits limits,
            ThreadFactory workers, Exchange exchange) throws IOException {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(limits, "limits");
        return new UnixRequestServer(name, socketPath, limits, workers, exchange);
    }

    public Path socketPath() {
        return socketPath;
    }

    public BoundedServer.Counts counts() {
        return server.counts();
    }

    /** Stops accepting, lets in-flight exchanges finish briefly, deletes the socket file. */
    @Override
    public void close() {
        server.close();
        try {
            if (fileKey != null && fileKey.equals(SocketFiles.fileKey(socketPath))) {
                Files.deleteIfExists(socketPath);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, name + ": deleting " + socketPath + " failed", e);
        }
    }
}
