package io.vpccni.ipamd.introspect;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.rpc.message.StatusOk;
import io.vpccni.rpc.message.StatusRequest;
import io.vpccni.rpc.transport.IpamClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ipamd's local servers against hostile local clients, in a JVM with the image's flags
 * ({@code -XX:+UseSerialGC -Xmx64m -XX:+ExitOnOutOfMemoryError}): 2,000 slowloris HTTP connections and 2,000
 * idle or trickling connections on ipamd.sock at once. During and after the flood {@code /healthz} and a status
 * call answer within a second, and the process's threads and descriptors return to their baseline.
 */
class HostileClientsTest {
    static final int FLOOD = 2000;
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    @Test
    void slowlorisAndIdleFloodsLeaveHealthzAndTheSocketAnsweringAndTheDaemonReturnsToBaseline()
            throws Exception {
        Path sock = dir.resolve("ipamd.sock");
        Process daemon = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx64m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), FloodTarget.class.getName(), sock.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<SocketChannel> flood = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(daemon.getInputStream(), US_ASCII));
            String first = out.readLine();
            assertThat(first).as("the daemon's first line (its stderr is above)").startsWith("port ");
            int port = Integer.parseInt(first.substring(5));
            IpamClient rpc = new IpamClient(sock, ANSWER_WITHIN);
            assertThat(healthz(port)).isEqualTo(200);
            assertThat(rpc.call(new StatusRequest())).isInstanceOf(StatusOk.class);
            warmUp(port, rpc); // the baseline includes the carrier threads virtual threads run on
            Thread.sleep(500);
            long threads = threads(daemon.pid());
            long fds = descriptors(daemon.pid());

            long slowest = 0;
            for (int i = 0; i < FLOOD; i++) {
                SocketChannel http = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                http.write(ByteBuffer.wrap("GET /healthz HTTP/1.1\r\nX-Slow: ".getBytes(US_ASCII)));
                flood.add(http);
                SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX);
                unix.connect(UnixDomainSocketAddress.of(sock));
                if (i % 2 == 0) {
                    unix.write(ByteBuffer.wrap("{".getBytes(US_ASCII)));
                }
                flood.add(unix);
                if (i % 200 == 0) {
                    slowest = Math.max(slowest, timedProbes(port, rpc));
                }
            }
            // Trickle a byte into every connection still open, and keep probing.
            for (int round = 0; round < 5; round++) {
                for (SocketChannel c : flood) {
                    try {
                        c.write(ByteBuffer.wrap(new byte[] {'a'}));
                    } catch (IOException closedByTheServer) {
                        // the server dropped it to make room, or it timed out: what it should do
                    }
                }
                slowest = Math.max(slowest, timedProbes(port, rpc));
            }
            System.out.printf("flood of %d HTTP + %d unix connections: slowest probe %d ms%n", FLOOD, FLOOD,
                    slowest);
            for (SocketChannel c : flood) {
                c.close();
            }
            flood.clear();
            long closedAt = System.nanoTime();
            assertThat(healthz(port)).isEqualTo(200);
            assertThat(rpc.call(new StatusRequest())).isInstanceOf(StatusOk.class);
            await(() -> "threads back to " + threads + ", now " + threads(daemon.pid()),
                    () -> threads(daemon.pid()) <= threads);
            await(() -> "descriptors back to " + fds + ", now " + descriptors(daemon.pid()),
                    () -> descriptors(daemon.pid()) <= fds);
            System.out.printf("threads and descriptors back to baseline (%d, %d) %d ms after the flood ended%n",
                    threads, fds, (System.nanoTime() - closedAt) / 1_000_000);
            assertThat(daemon.isAlive()).isTrue();
        } finally {
            for (SocketChannel c : flood) {
                c.close();
            }
            daemon.getOutputStream().close();
            if (!daemon.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
    }

    /** Both probes, each failing the test past a second; the slower one's time in ms. */
    private static long timedProbes(int port, IpamClient rpc) throws Exception {
        long start = System.nanoTime();
        assertThat(healthz(port)).isEqualTo(200);
        long http = System.nanoTime() - start;
        start = System.nanoTime();
        assertThat(rpc.call(new StatusRequest())).isInstanceOf(StatusOk.class);
        long unix = System.nanoTime() - start;
        return Math.max(http, unix) / 1_000_000;
    }

    /** GET /healthz the way a probe does, failing past a second. */
    static int healthz(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), (int) ANSWER_WITHIN.toMillis());
            s.setSoTimeout((int) ANSWER_WITHIN.toMillis());
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), US_ASCII);
            assertThat(reply).endsWith("\r\n\r\nok\n");
            return Integer.parseInt(reply.substring(9, 12));
        }
    }

    static long threads(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("Threads:")).mapToLong(l -> Long.parseLong(l.substring(8).trim()))
                    .findFirst().orElseThrow();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static long descriptors(long pid) {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Many probes at once, from platform threads. */
    private static void warmUp(int port, IpamClient rpc) throws InterruptedException {
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            clients.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int j = 0; j < 20; j++) {
                        timedProbes(port, rpc);
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }));
        }
        for (Thread t : clients) {
            t.join();
        }
    }

    static void await(Supplier<String> what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within 15 s: " + what.get());
            }
            Thread.sleep(50);
        }
    }
}
