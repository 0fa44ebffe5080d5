package io.vpccni.eni.aws;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/** Builds the node's {@link Ec2QueryClient}: the SDK's URL-connection HTTP client, its time-outs, its endpoint. */
public final class Ec2Clients {

    /** A call's time-out, from signing to the reply's last byte; the guard retries what times out. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private Ec2Clients() {}

    /**
     * The clients' timer for their calls' time-outs, shared: one virtual thread, parked between tasks, that only
     * aborts a call running too long.
     */
    static final ScheduledExecutorService TIMEOUTS = timeouts();

    private static ScheduledExecutorService timeouts() {
        var executor = new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name("ec2-timeouts").factory());
        executor.setRemoveOnCancelPolicy(true); // a call that ends in time cancels its task: drop it at once
        return executor;
    }

    /**
     * @param endpoint an endpoint override (LocalStack, a VPC interface endpoint); empty for the regional default
     * @param hooks changes to each request before it is signed; tests use them to inject faults
     */
    public static Ec2QueryClient create(
            Region region, Optional<URI> endpoint, AwsCredentialsProvider credentials,
            List<Ec2QueryClient.RequestHook> hooks) {
        var http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(3))
                .socketTimeout(Duration.ofSeconds(10))
                .build();
        return new Ec2QueryClient(region.id(), endpoint.orElseGet(() -> regionalEndpoint(region)), credentials, http,
                TIMEOUTS, CALL_TIMEOUT, hooks);
    }

    /** EC2's regional endpoint, e.g. https://ec2.us-east-1.amazonaws.com, https://ec2.cn-north-1.amazonaws.com.cn. */
    static URI regionalEndpoint(Region region) {
        return URI.create("https://ec2." + region.id() + "." + PartitionMetadata.of(region).dnsSuffix());
    }
}
