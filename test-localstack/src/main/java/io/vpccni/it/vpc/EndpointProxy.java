package io.vpccni.it.vpc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay that listens on an address inside a namespace and forwards each connection to a loopback service
 * of the root namespace, the way an interface endpoint puts a service inside a VPC; or the other way round
 * ({@link #intoNamespace}), a loopback port of the root namespace for a service inside a namespace (the tests'
 * client of an API server in the box). No packet crosses namespaces: the bytes are carried by this JVM.
 *
 * <p>Only the sockets on the namespace's side are made inside it (a socket stays in the namespace it was created
 * in), each on a {@code NetNs.run} thread that does nothing else. Every relay thread is created by threads of the
 * root namespace: a thread started from inside a namespace would stay there, and a pool thread born there would
 * later run unrelated work in the wrong place.
 */
public final class EndpointProxy implements AutoCloseable {

    /** Opens the relay's outbound connection, in whichever namespace the target lives. */
    @FunctionalInterface
    private interface Dialer {
        SocketChannel dial() throws IOException;
    }

    private final ServerSocketChannel server;
    private final Dialer target;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private final Thread acceptor;

    private EndpointProxy(ServerSocketChannel server, Dialer target, String label) {
        this.server = server;
        this.target = target;
        this.acceptor = Thread.ofPlatform().daemon(true).name("proxy-" + label).start(this::acceptLoop);
    }

    /** Listens on {@code listen} inside {@code ns}, forwarding to {@code target} in this process's namespace. */
    public static EndpointProxy start(Namespace ns, InetSocketAddress listen, InetSocketAddress target) {
        ServerSocketChannel channel;
        try {
            channel = ns.handle().run(() -> {
                ServerSocketChannel c = ServerSocketChannel.open();
                c.bind(listen, 64);
                return c;
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + listen + " in " + ns, e);
        }
        return new EndpointProxy(channel, () -> SocketChannel.open(target), ns.name() + "-" + listen.getPort());
    }

    /** Listens on an ephemeral port of this process's loopback, forwarding to {@code target} inside {@code ns}. */
    public static EndpointProxy intoNamespace(Namespace ns, InetSocketAddress target) {
        ServerSocketChannel channel;
        try {
            channel = ServerSocketChannel.open();
            channel.bind(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on the loopback for " + target + " in " + ns, e);
        }
        return new EndpointProxy(channel, () -> ns.handle().run(() -> SocketChannel.open(target)),
                "into-" + ns.name() + "-" + target.getPort());
    }

    /** Where this relay listens (with the port chosen for an ephemeral one). */
    public InetSocketAddress listenAddress() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("relay closed", e);
        }
    }

    public long connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel inbound;
            try {
                inbound = server.accept();
            } catch (IOException closed) {
                return;
            }
            connections.incrementAndGet();
            Thread.ofPlatform().daemon(true).name("proxy-conn").start(() -> relay(inbound));
        }
    }

    private void relay(SocketChannel inbound) {
        open.add(inbound);
        SocketChannel outbound = null;
        try {
            outbound = target.dial();
            open.add(outbound);
            SocketChannel to = outbound;
            Thread back = Thread.ofPlatform().daemon(true).name("proxy-back").start(() -> pump(to, inbound));
            pump(inbound, to);
            back.join();
        } catch (IOException e) {
            // the service is down or a side went away: closing the inbound side tells the client
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(inbound);
            if (outbound != null) {
                closeQuietly(outbound);
            }
        }
    }

    private void closeQuietly(SocketChannel channel) {
        open.remove(channel);
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do about a failed close of an abandoned connection
        }
    }

    // Copies until end of stream, then half-closes the other side so request/response protocols finish cleanly.
    private static void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // both are being abandoned
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel c : open) {
            c.close();
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
