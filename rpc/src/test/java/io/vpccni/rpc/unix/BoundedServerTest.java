package io.vpccni.rpc.unix;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.rpc.message.StatusOk;
import io.vpccni.rpc.message.StatusRequest;
import io.vpccni.rpc.transport.IpamClient;
import io.vpccni.rpc.transport.IpamServer;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's bounds under a hostile local client: many idle or trickling connections, oversized growth. */
class BoundedServerTest {
    @TempDir
    Path dir;

    static long descriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    static SocketChannel connect(Path sock) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(sock));
        return c;
    }

    @Test
    void twoThousandIdleAndTricklingConnectionsLeaveRealClientsServedAndEverythingReturnsToBaseline()
            throws Exception {
        Path sock = dir.resolve("ipamd.sock");
        long fdsBefore = descriptors();
        int threadsBefore = Thread.activeCount();
        try (IpamServer server = IpamServer.start(sock, r -> new StatusOk(true, "", 1), Duration.ofSeconds(3))) {
            // A client that cannot be answered within a second fails the test through its own time-out.
            IpamClient quick = new IpamClient(sock, Duration.ofSeconds(1));
            List<SocketChannel> flood = new ArrayList<>();
            try {
                for (int i = 0; i < 2000; i++) {
                    SocketChannel c = connect(sock);
                    flood.add(c);
                    if (i % 2 == 1) {
                        c.write(ByteBuffer.wrap("{\"protocolVersion\":1,".getBytes(UTF_8))); // and then nothing
                    }
                    if (i % 250 == 0) {
                        assertThat(quick.call(new StatusRequest())).isEqualTo(new StatusOk(true, "", 1));
                    }
                }
                assertThat(quick.call(new StatusRequest())).isEqualTo(new StatusOk(true, "", 1));
                BoundedServer.Counts during = server.counts();
                assertThat(during.open()).isLessThanOrEqualTo(1024);
                assertThat(during.evicted()).isGreaterThanOrEqualTo(2000 - 1024);
                assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore + 4);
            } finally {
                for (SocketChannel c : flood) {
                    c.close();
                }
            }
            assertThat(quick.call(new StatusRequest())).isEqualTo(new StatusOk(true, "", 1));
            await("the server closes the connections the flood left", Duration.ofSeconds(5),
                    () -> server.counts().open() == 0);
        }
        await("descriptors back to " + fdsBefore, Duration.ofSeconds(5), () -> {
            try {
                return descriptors() <= fdsBefore;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        await("threads back to " + threadsBefore, Duration.ofSeconds(5),
                () -> Thread.activeCount() <= threadsBefore);
    }

    @Test
    void connectionsSilentPastTheReadTimeOutAreClosed() throws Exception {
        Path sock = dir.resolve("s.sock");
        try (UnixRequestServer server = serve(sock,
                new BoundedServer.Limits(8, 2, 1000, 10_000, Duration.ofMillis(300), Duration.ofMillis(300)),
                Thread.ofVirtual().factory(), echo());
                SocketChannel idle = connect(sock)) {
            await("the idle connection is closed", Duration.ofSeconds(3), () -> server.counts().timedOut() == 1);
            assertThat(idle.read(ByteBuffer.allocate(16))).isEqualTo(-1);
        }
    }

    @Test
    void requestsInProgressStayWithinTheByteBudgetByClosingTheOldest() throws Exception {
        Path sock = dir.resolve("s.sock");
        // Two 900-byte requests take 1,001-byte buffers each; the third one's first 512 bytes do not fit.
        try (UnixRequestServer server = serve(sock,
                new BoundedServer.Limits(8, 2, 1000, 2500, Duration.ofSeconds(10), Duration.ofSeconds(10)),
                Thread.ofVirtual().factory(), echo());
                SocketChannel first = connect(sock);
                SocketChannel second = connect(sock);
                SocketChannel third = connect(sock)) {
            first.write(ByteBuffer.wrap(new byte[900]));
            second.write(ByteBuffer.wrap(new byte[900]));
            await("both are buffered", Duration.ofSeconds(3), () -> server.counts().open() == 3);
            Thread.sleep(100);
            third.write(ByteBuffer.wrap(new byte[10]));
            await("the oldest is closed", Duration.ofSeconds(3), () -> server.counts().evicted() == 1);
            assertThat(first.read(ByteBuffer.allocate(16))).isEqualTo(-1);
            third.shutdownOutput();
            ByteBuffer reply = ByteBuffer.allocate(64);
            while (third.read(reply) >= 0) {
                // until the server closes
            }
            assertThat(reply.position()).isEqualTo(10);
        }
    }

    @Test
    void requestsWaitingForTheirAnswerCountInTheByteBudget() throws Exception {
        Path sock = dir.resolve("s.sock");
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        UnixRequestServer.Exchange held = exchange(request -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "ok".getBytes(UTF_8);
        });
        try (UnixRequestServer server = serve(sock,
                new BoundedServer.Limits(8, 1, 1000, 2500, Duration.ofSeconds(10), Duration.ofSeconds(10)),
                Thread.ofVirtual().factory(), held);
                SocketChannel answered = connect(sock);
                SocketChannel waiting = connect(sock);
                SocketChannel third = connect(sock)) {
            for (SocketChannel c : List.of(answered, waiting)) {
                c.write(ByteBuffer.wrap(new byte[900]));
                c.shutdownOutput();
            }
            Thread.sleep(200);
            // 1,800 bytes of complete requests are held; 1,001 more do not fit in 2,500, and nobody is left to close.
            third.write(ByteBuffer.wrap(new byte[900]));
            await("the third is closed", Duration.ofSeconds(3), () -> server.counts().evicted() == 1);
            assertThat(third.read(ByteBuffer.allocate(16))).isEqualTo(-1);
            release.countDown();
            for (SocketChannel c : List.of(answered, waiting)) {
                ByteBuffer reply = ByteBuffer.allocate(16);
                while (c.read(reply) >= 0) {
                    // until the server closes
                }
                assertThat(new String(reply.array(), 0, reply.position(), UTF_8)).isEqualTo("ok");
            }
        }
    }

    @Test
    void inFlightAnswersAreCappedAndTheRestWaitTheirTurn() throws Exception {
        Path sock = dir.resolve("s.sock");
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        UnixRequestServer.Exchange slow = exchange(request -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            return request;
        });
        try (UnixRequestServer server = serve(sock,
                new BoundedServer.Limits(64, 3, 1000, 100_000, Duration.ofSeconds(10), Duration.ofSeconds(10)),
                Thread.ofPlatform().factory(), slow)) {
            List<SocketChannel> clients = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                SocketChannel c = connect(sock);
                c.write(ByteBuffer.wrap(("r" + i).getBytes(UTF_8)));
                c.shutdownOutput();
                clients.add(c);
            }
            for (int i = 0; i < clients.size(); i++) {
                ByteBuffer reply = ByteBuffer.allocate(16);
                try (SocketChannel c = clients.get(i)) {
                    while (c.read(reply) >= 0) {
                        // until the server closes
                    }
                }
                assertThat(new String(reply.array(), 0, reply.position(), UTF_8)).isEqualTo("r" + i);
            }
            assertThat(most.get()).isEqualTo(3);
        }
    }

    @Test
    void aThrowingExchangeClosesItsConnectionAndTheServerGoesOn() throws Exception {
        Path sock = dir.resolve("s.sock");
        UnixRequestServer.Exchange picky = exchange(request -> {
            if (request.length == 0) {
                throw new StackOverflowError("a stand-in for any Error");
            }
            return request;
        });
        try (UnixRequestServer server = serve(sock,
                new BoundedServer.Limits(8, 2, 1000, 10_000, Duration.ofSeconds(10), Duration.ofSeconds(10)),
                Thread.ofVirtual().factory(), picky)) {
            try (SocketChannel c = connect(sock)) {
                c.shutdownOutput();
                assertThat(c.read(ByteBuffer.allocate(16))).isEqualTo(-1);
            }
            try (SocketChannel c = connect(sock)) {
                c.write(ByteBuffer.wrap("ok".getBytes(UTF_8)));
                c.shutdownOutput();
                ByteBuffer reply = ByteBuffer.allocate(16);
                while (c.read(reply) >= 0) {
                    // until the server closes
                }
                assertThat(reply.position()).isEqualTo(2);
            }
        }
    }

    @Test
    void anErrorOnTheSelectorThreadClosesItsConnectionAndTheSelectorGoesOn() throws Exception {
        Path sock = dir.resolve("s.sock");
        UnixRequestServer.Exchange brittle = new UnixRequestServer.Exchange() {
            @Override
            public byte[] answer(byte[] request) {
                return request;
            }

            @Override
            public byte[] oversized(int limit) {
                throw new StackOverflowError("a stand-in for any Error, on the selector thread");
            }
        };
        try (UnixRequestServer server = serve(sock,
                new BoundedServer.Limits(8, 2, 100, 10_000, Duration.ofSeconds(10), Duration.ofSeconds(10)),
                Thread.ofVirtual().factory(), brittle)) {
            try (SocketChannel big = connect(sock)) {
                big.write(ByteBuffer.wrap(new byte[500]));
                ByteBuffer nothing = ByteBuffer.allocate(16);
                int n;
                try {
                    n = big.read(nothing);
                } catch (IOException reset) {
                    n = -1;
                }
                assertThat(n).isEqualTo(-1);
            }
            assertThat(roundTrip(sock, "still here")).isEqualTo("still here");
        }
    }

    /** One request and its whole reply, of at most 16 bytes. */
    static String roundTrip(Path sock, String request) throws IOException {
        try (SocketChannel c = connect(sock)) {
            c.write(ByteBuffer.wrap(request.getBytes(UTF_8)));
            c.shutdownOutput();
            ByteBuffer reply = ByteBuffer.allocate(16);
            while (c.read(reply) >= 0) {
                // until the server closes
            }
            return new String(reply.array(), 0, reply.position(), UTF_8);
        }
    }

    static UnixRequestServer serve(Path sock, BoundedServer.Limits limits, ThreadFactory workers,
            UnixRequestServer.Exchange exchange) throws IOException {
        return UnixRequestServer.start("t", sock, limits, workers, exchange);
    }

    static UnixRequestServer.Exchange echo() {
        return exchange(request -> request);
    }

    static UnixRequestServer.Exchange exchange(UnaryOperator<byte[]> answer) {
        return new UnixRequestServer.Exchange() {
            @Override
            public byte[] answer(byte[] request) {
                return answer.apply(request);
            }

            @Override
            public byte[] oversized(int limit) {
                return "too big".getBytes(UTF_8);
            }
        };
    }

    @Test
    void limitsRejectABudgetThatCannotHoldOneRequest() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BoundedServer.Limits(8, 2, 1000, 1000,
                Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBufferedBytes");
    }

    /**
     * A handler that sends its own reply learns whether the client was still there to take it: false for one
     * that closed its end while the request was being answered, true for one that waits.
     */
    @Test
    void aReplySentFromTheWorkerSaysWhetherTheClientWasStillThere() throws Exception {
        Path sock = dir.resolve("s.sock");
        java.util.concurrent.BlockingQueue<Boolean> taken = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch answering = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch clientGone = new java.util.concurrent.CountDownLatch(1);
        UnixRequestServer.Exchange watching = new UnixRequestServer.Exchange() {
            @Override
            public byte[] answer(byte[] request) {
                return request;
            }

            @Override
            public void answer(byte[] request, BoundedServer.Reply reply) {
                if (new String(request, UTF_8).equals("leaving")) {
                    answering.countDown();
                    try {
                        clientGone.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                taken.add(reply.send(request));
            }

            @Override
            public byte[] oversized(int limit) {
                return new byte[0];
            }
        };
        try (UnixRequestServer server = serve(sock,
                new BoundedServer.Limits(8, 2, 100, 10_000, Duration.ofSeconds(10), Duration.ofSeconds(10)),
                Thread.ofVirtual().factory(), watching)) {
            try (SocketChannel leaving = connect(sock)) {
                leaving.write(ByteBuffer.wrap("leaving".getBytes(UTF_8)));
                leaving.shutdownOutput();
                answering.await();
            }
            clientGone.countDown();
            assertThat(taken.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isFalse();

            assertThat(roundTrip(sock, "staying")).isEqualTo("staying");
            assertThat(taken.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            await("the closed connection released", Duration.ofSeconds(10), () -> server.counts().open() == 0);
        }
    }
}
