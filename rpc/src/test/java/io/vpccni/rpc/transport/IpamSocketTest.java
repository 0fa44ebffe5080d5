package io.vpccni.rpc.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.rpc.codec.IpamCodec;
import io.vpccni.rpc.codec.Protocol;
import io.vpccni.rpc.codec.ProtocolException;
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
import io.vpccni.rpc.message.SampleMessages;
import io.vpccni.rpc.message.StatusOk;
import io.vpccni.rpc.message.StatusRequest;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpamSocketTest {
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);
    static final AddOk ADD_OK = new AddOk("10.0.1.17", 32, 1, 2, 9001, "eni-0abc", Optional.empty());

    @TempDir
    Path dir;

    final List<IpamRequest> handled = new CopyOnWriteArrayList<>();
    IpamServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    Path sock() {
        return dir.resolve("run").resolve("ipamd.sock");
    }

    IpamServer start(Function<IpamRequest, IpamReply> handler) throws IOException {
        server = IpamServer.start(sock(), r -> {
            handled.add(r);
            return handler.apply(r);
        }, Duration.ofMillis(500));
        return server;
    }

    static IpamReply answerAll(IpamRequest r) {
        return switch (r) {
            case AddRequest a -> ADD_OK;
            case DelRequest d -> DelOk.nothingReleased();
            case StatusRequest s -> new StatusOk(true, "", 7);
            case GcRequest g -> new GcOk(List.of());
        };
    }

    IpamClient client() {
        return new IpamClient(sock(), CLIENT_TIMEOUT);
    }

    @Test
    void clientGetsTheHandlersReplyForEveryRequestType() throws Exception {
        start(IpamSocketTest::answerAll);
        for (IpamRequest r : SampleMessages.requests().toList()) {
            assertThat(client().call(r)).isEqualTo(answerAll(r));
        }
        assertThat(handled).containsExactlyElementsOf(SampleMessages.requests().toList());
    }

    @Test
    void failureReplyReachesTheClientIntact() throws Exception {
        Failure f = Failure.of(ReasonCode.POOL_EMPTY_ENI_LIMIT, "m5.large allows 3 ENIs, all used");
        start(r -> f);
        assertThat(client().call(new StatusRequest())).isEqualTo(f);
    }

    @Test
    void concurrentClientsAreServedIndependently() throws Exception {
        start(IpamSocketTest::answerAll);
        var threads = new java.util.ArrayList<Thread>();
        var results = new CopyOnWriteArrayList<IpamReply>();
        for (int i = 0; i < 20; i++) {
            // Platform threads: the client blocks its OS thread in recv (IpamClient), and 20
            // virtual clients would pin every carrier the server's virtual threads need.
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    results.add(client().call(SampleMessages.ADD));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(results).hasSize(20).containsOnly(ADD_OK);
    }

    @Test
    void oversizedRequestGetsBadRequestAndNeverReachesTheHandler() throws Exception {
        start(IpamSocketTest::answerAll);
        byte[] big = new byte[Protocol.MAX_MESSAGE_BYTES + 4096];
        Arrays.fill(big, (byte) ' ');
        assertThat(rawExchange(big, true)).isInstanceOfSatisfying(Failure.class, f -> {
            assertThat(f.reason()).isEqualTo(ReasonCode.BAD_REQUEST);
            assertThat(f.message()).contains("exceeds the limit");
        });
        assertThat(handled).isEmpty();
    }

    @Test
    void garbageGetsBadRequestAndNeverReachesTheHandler() throws Exception {
        start(IpamSocketTest::answerAll);
        assertThat(rawExchange("{\"protocolVersion\":1,\"type\":\"add\"".getBytes(UTF_8), true))
                .isInstanceOfSatisfying(Failure.class, f -> {
                    assertThat(f.reason()).isEqualTo(ReasonCode.BAD_REQUEST);
                    assertThat(f.message()).contains("truncated");
                });
        assertThat(rawExchange("\u00ff\u0000not json".getBytes(UTF_8), true))
                .isInstanceOfSatisfying(Failure.class,
                        f -> assertThat(f.reason()).isEqualTo(ReasonCode.BAD_REQUEST));
        assertThat(handled).isEmpty();
    }

    @Test
    void otherProtocolVersionGetsVersionMismatch() throws Exception {
        start(IpamSocketTest::answerAll);
        assertThat(rawExchange("{\"protocolVersion\":9,\"type\":\"status\"}".getBytes(UTF_8), true))
                .isInstanceOfSatisfying(Failure.class,
                        f -> assertThat(f.reason()).isEqualTo(ReasonCode.VERSION_MISMATCH));
        assertThat(handled).isEmpty();
    }

    @Test
    void clientThatClosesMidRequestNeverReachesTheHandler() throws Exception {
        start(IpamSocketTest::answerAll);
        byte[] half = Arrays.copyOf(IpamCodec.encode(SampleMessages.ADD), 40);
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock()))) {
            c.write(ByteBuffer.wrap(half));
        }
        // A client that stalls mid-request is cut off by the server's read timeout.
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock()))) {
            c.write(ByteBuffer.wrap(half));
            ByteBuffer buf = ByteBuffer.allocate(16);
            assertThat(c.read(buf)).as("server closes without a reply").isEqualTo(-1);
        }
        assertThat(client().call(new StatusRequest())).isEqualTo(new StatusOk(true, "", 7));
        assertThat(handled).containsExactly(new StatusRequest());
    }

    @Test
    void slowHandlerMakesTheClientTimeOutAndTheServerCarriesOn() throws Exception {
        var release = new CountDownLatch(1);
        start(r -> {
            if (r instanceof AddRequest) {
                await(release);
            }
            return answerAll(r);
        });
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> new IpamClient(sock(), Duration.ofMillis(200))
                .call(SampleMessages.ADD))
                .isInstanceOf(IpamTimeoutException.class)
                .hasMessageContaining("did not answer within");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        release.countDown();
        assertThat(client().call(new StatusRequest())).isInstanceOf(StatusOk.class);
    }

    @Test
    void missingSocketIsUnreachable() {
        assertThatThrownBy(() -> client().call(new StatusRequest()))
                .isInstanceOf(IpamUnreachableException.class)
                .hasMessageContaining("no ipamd socket at");
    }

    @Test
    void socketWithoutListenerIsUnreachable() throws Exception {
        Files.createDirectories(sock().getParent());
        try (var dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(sock()));
        }
        assertThat(sock()).exists();
        assertThatThrownBy(() -> client().call(new StatusRequest()))
                .isInstanceOf(IpamUnreachableException.class)
                .hasMessageContaining("not listening");
    }

    @Test
    void staleSocketFileIsReplacedOnStart() throws Exception {
        Files.createDirectories(sock().getParent());
        try (var dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(sock()));
        }
        start(IpamSocketTest::answerAll);
        assertThat(client().call(new StatusRequest())).isInstanceOf(StatusOk.class);
    }

    @Test
    void liveSocketIsNotStolen() throws Exception {
        start(IpamSocketTest::answerAll);
        assertThatThrownBy(() -> IpamServer.start(sock(), IpamSocketTest::answerAll))
                .isInstanceOf(IOException.class).hasMessageContaining("already listening");
        assertThat(client().call(new StatusRequest())).isInstanceOf(StatusOk.class);
    }

    @Test
    void regularFileAtTheSocketPathIsLeftAlone() throws Exception {
        Files.createDirectories(sock().getParent());
        Files.writeString(sock(), "not a socket");
        assertThatThrownBy(() -> start(IpamSocketTest::answerAll))
                .isInstanceOf(IOException.class).hasMessageContaining("is not a socket");
        assertThat(sock()).hasContent("not a socket");
    }

    @Test
    void socketIsOwnerOnlyAndItsNewParentTooAndCloseDeletesIt() throws Exception {
        start(IpamSocketTest::answerAll);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock())))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock().getParent())))
                .isEqualTo("rwx------");
        assertThat(sock().resolveSibling("ipamd.sock.tmp")).doesNotExist();
        server.close();
        server.close();
        assertThat(sock()).doesNotExist();
        assertThatThrownBy(() -> client().call(new StatusRequest()))
                .isInstanceOf(IpamUnreachableException.class);
    }

    @Test
    void throwingHandlerBecomesAnInternalFailure() throws Exception {
        start(r -> {
            throw new IllegalStateException("datastore corrupted");
        });
        assertThat(client().call(new StatusRequest())).isInstanceOfSatisfying(Failure.class, f -> {
            assertThat(f.reason()).isEqualTo(ReasonCode.INTERNAL);
            assertThat(f.message()).contains("datastore corrupted");
        });
    }

    @Test
    void replyOfTheWrongTypeBecomesAnInternalFailure() throws Exception {
        start(r -> new GcOk(List.of()));
        assertThat(client().call(SampleMessages.ADD)).isInstanceOfSatisfying(Failure.class,
                f -> assertThat(f.reason()).isEqualTo(ReasonCode.INTERNAL));
    }

    @Test
    void oversizedReplyIsAProtocolErrorAtTheClient() throws Exception {
        Files.createDirectories(sock().getParent());
        try (var fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            fake.bind(UnixDomainSocketAddress.of(sock()));
            Thread.ofVirtual().start(() -> {
                try (SocketChannel c = fake.accept()) {
                    c.read(ByteBuffer.allocate(4096));
                    c.write(ByteBuffer.wrap(new byte[Protocol.MAX_MESSAGE_BYTES + 10]));
                } catch (IOException ignored) {
                    // the client hangs up once it has seen too much
                }
            });
            assertThatThrownBy(() -> client().call(new StatusRequest()))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("reply exceeds");
        }
    }

    /** Sends raw bytes as a client would, then reads and decodes whatever comes back. */
    private IpamReply rawExchange(byte[] request, boolean shutdownOutput) throws Exception {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock()))) {
            // Write from another thread: the server may stop reading (oversize) and reply first.
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    c.write(ByteBuffer.wrap(request));
                    if (shutdownOutput) {
                        c.shutdownOutput();
                    }
                } catch (IOException ignored) {
                    // broken pipe once the server has answered and closed
                }
            });
            ByteBuffer buf = ByteBuffer.allocate(Protocol.MAX_MESSAGE_BYTES);
            while (c.read(buf) >= 0) {
                // until the server closes
            }
            writer.join(TimeUnit.SECONDS.toMillis(5));
            return IpamCodec.decodeReply(Arrays.copyOf(buf.array(), buf.position()));
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
