package io.vpccni.it.vpc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A tiny TCP server that tells each client the address it sees the client at (so a test can tell NAT from no
 * NAT), then sends the number of bytes the client asked for (so a test can see which link carried a reply).
 * Protocol: the client sends one line with a byte count; the server answers one line with the peer address,
 * then that many bytes, and closes.
 *
 * <p>The listening socket is made inside the namespace; the accepting thread is a thread of the root namespace
 * (see {@link EndpointProxy} for why no thread may be born inside a namespace).
 */
public final class PeerEcho implements AutoCloseable {

    public static final int PORT = 7777;
    private static final int MAX_BYTES = 16 << 20;

    private final ServerSocket server;

    private PeerEcho(ServerSocket server) {
        this.server = server;
        Thread.ofPlatform().daemon(true).name("peer-echo").start(this::serve);
    }

    /** Listens on all addresses of {@code ns}, port {@link #PORT}. */
    public static PeerEcho listen(Namespace ns) {
        try {
            return new PeerEcho(ns.handle().run(() -> {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(PORT), 16);
                return s;
            }));
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen in " + ns, e);
        }
    }

    /**
     * Connects from inside {@code from} to {@code target}:{@link #PORT}, asks for {@code bytes} bytes and returns the
     * address the server saw. The whole exchange runs on the namespace's thread with blocking I/O only.
     */
    public static String ask(Namespace from, String target, int bytes) throws IOException {
        return from.handle().run(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.ofLiteral(target), PORT), 3000);
                socket.setSoTimeout(5000);
                socket.getOutputStream().write((bytes + "\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                String seen = readLine(in);
                long left = bytes;
                byte[] buffer = new byte[64 * 1024];
                while (left > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        throw new IOException("short reply from " + target + ": " + left + " bytes missing");
                    }
                    left -= n;
                }
                return seen;
            }
        });
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket client = server.accept()) {
                client.setSoTimeout(5000);
                BufferedReader reader = new BufferedReader(new InputStreamReader(client.getInputStream(),
                        StandardCharsets.US_ASCII));
                int bytes = Math.clamp(Integer.parseInt(reader.readLine().strip()), 0, MAX_BYTES);
                OutputStream out = client.getOutputStream();
                out.write((client.getInetAddress().getHostAddress() + "\n").getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[64 * 1024];
                for (int left = bytes; left > 0; left -= chunk.length) {
                    out.write(chunk, 0, Math.min(chunk.length, left));
                }
                out.flush();
            } catch (IOException | RuntimeException e) {
                // a broken client affects only itself; a closed server ends the loop
            }
        }
    }

    // Byte by byte: a buffered reader would swallow the payload that follows the line.
    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed before the peer address");
            }
            line.append((char) c);
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
