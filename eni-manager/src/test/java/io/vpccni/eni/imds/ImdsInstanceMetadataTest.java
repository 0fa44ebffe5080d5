package io.vpccni.eni.imds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.port.InstanceMetadata;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the client walks the ENIs, against a metadata service of the test's own (the JDK's HTTP server), which can hold
 * a request back until another arrives or fail one key: the test IMDS of test-localstack answers from the emulator
 * and can do neither.
 */
class ImdsInstanceMetadataTest {

    private static final String MACS = "/latest/meta-data/network/interfaces/macs/";

    private final CountDownLatch secondEniAsked = new CountDownLatch(1);
    private volatile String failingPath = "";
    private final HttpServer server = server();

    private HttpServer server() {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            http.createContext("/", this::answer);
            http.start();
            return http;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals(MACS + "02:00:00:00:00:01/interface-id")) {
            // The first ENI's read waits for the second's: answered only when the two are read at once.
            try {
                if (!secondEniAsked.await(5, TimeUnit.SECONDS)) {
                    reply(exchange, 500, "");
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (path.startsWith(MACS + "02:00:00:00:00:02/")) {
            secondEniAsked.countDown();
        }
        if (path.equals(failingPath)) {
            reply(exchange, 500, "");
            return;
        }
        if (exchange.getRequestMethod().equals("PUT")) { // IMDSv2's session token
            exchange.getResponseHeaders().add("x-aws-ec2-metadata-token-ttl-seconds", "21600");
            reply(exchange, 200, "token");
            return;
        }
        String value = values().get(path);
        reply(exchange, value == null ? 404 : 200, value == null ? "" : value);
    }

    private static Map<String, String> values() {
        return Map.ofEntries(Map.entry(MACS, "02:00:00:00:00:01/\n02:00:00:00:00:02/"),
                Map.entry(MACS + "02:00:00:00:00:01/interface-id", "eni-1"),
                Map.entry(MACS + "02:00:00:00:00:01/device-number", "0"),
                Map.entry(MACS + "02:00:00:00:00:01/subnet-id", "subnet-1"),
                Map.entry(MACS + "02:00:00:00:00:01/vpc-id", "vpc-1"),
                Map.entry(MACS + "02:00:00:00:00:01/local-ipv4s", "10.0.0.5\n10.0.0.6"),
                Map.entry(MACS + "02:00:00:00:00:01/subnet-ipv4-cidr-block", "10.0.0.0/24"),
                Map.entry(MACS + "02:00:00:00:00:02/interface-id", "eni-2"),
                Map.entry(MACS + "02:00:00:00:00:02/device-number", "1"),
                Map.entry(MACS + "02:00:00:00:00:02/subnet-id", "subnet-1"),
                Map.entry(MACS + "02:00:00:00:00:02/vpc-id", "vpc-1"),
                Map.entry(MACS + "02:00:00:00:00:02/local-ipv4s", "10.0.0.7"),
                Map.entry(MACS + "02:00:00:00:00:02/subnet-ipv4-cidr-block", "10.0.0.0/24"));
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private InstanceMetadata metadata() {
        return new ImdsInstanceMetadata(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                Duration.ofSeconds(10));
    }

    @Test
    void theEnisAreReadAtOnceAndListedByDeviceNumber() {
        var enis = metadata().enis();

        assertThat(enis).extracting(EniMetadata::interfaceId).containsExactly("eni-1", "eni-2");
        assertThat(enis.getFirst().localIpv4s()).containsExactly("10.0.0.5", "10.0.0.6");
        assertThat(enis.get(1).ipv4Prefixes()).isEmpty();
    }

    @Test
    void oneEnisFailedReadFailsTheWalkNamingWhatFailed() {
        secondEniAsked.countDown();
        failingPath = MACS + "02:00:00:00:00:02/device-number";

        assertThatThrownBy(metadata()::enis)
                .isInstanceOf(InstanceMetadata.MetadataUnavailable.class)
                .hasMessageContaining("network/interfaces/macs/02:00:00:00:00:02/device-number")
                .hasMessageContaining("500");
    }
}
