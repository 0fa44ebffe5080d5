package io.vpccni.rpc.transport;

import io.vpccni.rpc.codec.IpamCodec;
import io.vpccni.rpc.codec.Protocol;
import io.vpccni.rpc.codec.ProtocolException;
import io.vpccni.rpc.codec.VersionMismatchException;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.DelOk;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.Failure;
import io.vpccni.rpc.message.GcOk;
import io.vpccni.rpc.message.GcRequest;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.IpamRequest;
import io.vpccni.rpc.message.ReasonCode;
import io.vpccni.rpc.message.StatusOk;
import io.vpccni.rpc.message.StatusRequest;
import io.vpccni.rpc.unix.BoundedServer;
import io.vpccni.rpc.unix.UnixRequestServer;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * ipamd's side of the protocol, on a {@link UnixRequestServer} (connections on virtual threads). A
 * request that is oversized, truncated, garbled or of another version is answered with a
 * {@link Failure} without reaching the handler. The handler's own time is not bounded here (it
 * bounds its pool wait itself); reading the request and writing the reply each have {@code ioTimeout}.
 */
public final class IpamServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IpamServer.class.getName());

    private final Function<IpamRequest, IpamReply> handler;
    private final UnixRequestServer transport;

    private IpamServer(Path socketPath, Function<IpamRequest, IpamReply> handler, Duration ioTimeout)
            throws IOException {
        this.handler = handler;
        this.transport = UnixRequestServer.start("ipam-rpc", socketPath, limits(ioTimeout),
                Thread.ofVirtual().name("ipam-rpc-", 0).factory(), new UnixRequestServer.Exchange() {
                    @Override
                    public byte[] answer(byte[] request) {
                        return encode(IpamServer.this.answer(request));
                    }

                    @Override
                    public byte[] oversized(int limit) {
                        return encode(Failure.of(ReasonCode.BAD_REQUEST,
                                "bad request: message exceeds the limit of " + limit + " bytes"));
                    }
                });
    }

    /**
     * 1,024 connections (a node runs at most a few hundred pods, and the plugin holds one connection per
     * invocation); 256 requests answered at once, on virtual threads; 4 MiB for requests in progress.
     */
    static BoundedServer.Limits limits(Duration ioTimeout) {
        return new BoundedServer.Limits(1024, 256, Protocol.MAX_MESSAGE_BYTES, 4L << 20, ioTimeout, ioTimeout);
    }

    public static IpamServer start(Path socketPath, Function<IpamRequest, IpamReply> handler)
            throws IOException {
        return start(socketPath, handler, Protocol.DEFAULT_SERVER_IO_TIMEOUT);
    }

    public static IpamServer start(Path socketPath, Function<IpamRequest, IpamReply> handler,
            Duration ioTimeout) throws IOException {
        Objects.requireNonNull(handler, "handler");
        return new IpamServer(socketPath, handler, ioTimeout);
    }

    public Path socketPath() {
        return transport.socketPath();
    }

    public BoundedServer.Counts counts() {
        return transport.counts();
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

    /** Stops accepting, lets in-flight connections finish briefly, deletes the socket file. */
    @Override
    public void close() {
        transport.close();
    }
}
