package io.vpccni.eni.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * The node's EC2 client over a real HTTP exchange on loopback: its time-out runs on the shared timer (no thread of
 * its own) and aborts a call EC2 does not answer; the regional endpoint by partition.
 */
class Ec2ClientsTest {

    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret"));

    @Test
    void aCallsTimeOutIsScheduledOnTheSharedTimerAndCancelledWhenTheReplyCame() throws Exception {
        ScheduledThreadPoolExecutor timeouts = (ScheduledThreadPoolExecutor) Ec2Clients.TIMEOUTS;
        AtomicInteger pendingDuringCall = new AtomicInteger(-1);
        AtomicReference<String> body = new AtomicReference<>();
        HttpServer ec2 = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ec2.createContext("/", exchange -> {
            pendingDuringCall.set(timeouts.getQueue().size());
            body.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] reply = ("<DescribeSubnetsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                    + "<requestId>r-1</requestId><subnetSet/></DescribeSubnetsResponse>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        ec2.start();
        try (Ec2QueryClient client = Ec2Clients.create(Region.US_EAST_1,
                URI.create("http://127.0.0.1:" + ec2.getAddress().getPort()), CREDENTIALS, List.of())) {
            assertThat(client.call(new QueryForm("DescribeSubnets")).items("subnetSet")).isEmpty();
        } finally {
            ec2.stop(0);
        }

        assertThat(body.get()).isEqualTo("Action=DescribeSubnets&Version=2016-11-15");
        assertThat(pendingDuringCall.get()).isEqualTo(1);
        assertThat(timeouts.getQueue()).as("cancelled when the call ended in time").isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("sdk-ScheduledExecutor"));
    }

    @Test
    void aCallEc2DoesNotAnswerIsAbortedAtItsTimeOutAsUnavailable() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer ec2 = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ec2.createContext("/", exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        ec2.start();
        var http = UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).build();
        try (var client = new Ec2QueryClient("us-east-1", URI.create("http://127.0.0.1:" + ec2.getAddress().getPort()),
                CREDENTIALS, http, Ec2Clients.TIMEOUTS, Duration.ofMillis(300), List.of())) {
            assertThatThrownBy(() -> client.call(new QueryForm("DescribeSubnets")))
                    .isInstanceOf(Ec2QueryException.NoAnswer.class)
                    .hasMessageContaining("DescribeSubnets to http://127.0.0.1:")
                    .hasMessageContaining("no answer within 300 ms");
        } finally {
            release.countDown();
            ec2.stop(0);
        }
    }

    @Test
    void theEndpointComesFromTheSdksVariablesOverrideFirstThenFipsAndDualStackVariants() {
        assertThat(Ec2Clients.endpointFrom(Map.of(), Region.US_EAST_1)).hasToString("https://ec2.us-east-1.amazonaws.com");
        assertThat(Ec2Clients.endpointFrom(Map.of("AWS_USE_FIPS_ENDPOINT", "true"), Region.US_EAST_1))
                .hasToString("https://ec2-fips.us-east-1.amazonaws.com");
        assertThat(Ec2Clients.endpointFrom(Map.of("AWS_USE_DUALSTACK_ENDPOINT", "TRUE"), Region.EU_WEST_1))
                .hasToString("https://ec2.eu-west-1.api.aws");
        assertThat(Ec2Clients.endpointFrom(Map.of("AWS_USE_FIPS_ENDPOINT", "true", "AWS_USE_DUALSTACK_ENDPOINT",
                "true"), Region.US_WEST_2)).hasToString("https://ec2-fips.us-west-2.api.aws");
        assertThat(Ec2Clients.endpointFrom(Map.of("AWS_USE_FIPS_ENDPOINT", "false"), Region.US_EAST_1))
                .hasToString("https://ec2.us-east-1.amazonaws.com");
        assertThat(Ec2Clients.endpointFrom(Map.of("AWS_ENDPOINT_URL_EC2", "http://10.0.0.1:4566",
                "AWS_USE_FIPS_ENDPOINT", "true"), Region.US_EAST_1)).hasToString("http://10.0.0.1:4566");
    }

    @Test
    void aVariableThatIsNotWhatItMayBeIsRefusedByName() {
        assertThatThrownBy(() -> Ec2Clients.endpointFrom(Map.of("AWS_USE_FIPS_ENDPOINT", "yes"), Region.US_EAST_1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("AWS_USE_FIPS_ENDPOINT='yes' is invalid: expected true or false");
        assertThatThrownBy(() -> Ec2Clients.endpointFrom(Map.of("AWS_ENDPOINT_URL_EC2", "ec2.internal"),
                Region.US_EAST_1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AWS_ENDPOINT_URL_EC2='ec2.internal' is invalid");
    }

    @Test
    void theRegionalEndpointUsesThePartitionsDnsSuffix() {
        assertThat(Ec2Clients.endpointFrom(Map.of(), Region.US_WEST_2)).hasToString("https://ec2.us-west-2.amazonaws.com");
        assertThat(Ec2Clients.endpointFrom(Map.of(), Region.CN_NORTH_1))
                .hasToString("https://ec2.cn-north-1.amazonaws.com.cn");
    }
}
