package io.vpccni.eni.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** The EC2 client's time-outs run on the shared timer, not on a pool of platform threads of each client's own. */
class Ec2ClientsTest {

    @Test
    void aCallsTimeOutsAreScheduledOnTheSharedTimerAndNoClientStartsThreadsOfItsOwn() throws Exception {
        ScheduledThreadPoolExecutor timeouts = (ScheduledThreadPoolExecutor) Ec2Clients.TIMEOUTS;
        AtomicInteger pendingDuringCall = new AtomicInteger(-1);
        HttpServer ec2 = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ec2.createContext("/", exchange -> {
            pendingDuringCall.set(timeouts.getQueue().size()); // the call's and its attempt's time-outs
            byte[] body = ("<DescribeAvailabilityZonesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                    + "<requestId>r-1</requestId><availabilityZoneInfo/></DescribeAvailabilityZonesResponse>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        ec2.start();
        try (Ec2Client client = Ec2Clients.create(Region.US_EAST_1,
                Optional.of(URI.create("http://127.0.0.1:" + ec2.getAddress().getPort())),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")), List.of())) {
            assertThat(client.describeAvailabilityZones().availabilityZones()).isEmpty();
        } finally {
            ec2.stop(0);
        }

        assertThat(pendingDuringCall.get()).isEqualTo(2);
        assertThat(timeouts.getQueue()).as("both cancelled when the call ended in time").isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("sdk-ScheduledExecutor"));
    }
}
