package io.vpccni.eni.aws;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** Builds the SDK's EC2 client the way the node uses it: lean HTTP client, no SDK retries (Ec2Guard retries). */
public final class Ec2Clients {

    private Ec2Clients() {}

    /**
     * The clients' timer for their call and attempt time-outs, shared. Without it each client starts a pool of 5
     * platform threads of its own (sdk-ScheduledExecutor) for tasks that only interrupt a call running too long; one
     * virtual thread does that, parked between tasks. The SDK does not shut down an executor it was given.
     */
    static final ScheduledExecutorService TIMEOUTS = timeouts();

    private static ScheduledExecutorService timeouts() {
        var executor = new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name("ec2-sdk-timeouts").factory());
        executor.setRemoveOnCancelPolicy(true); // a call that ends in time cancels its task: drop it at once
        return executor;
    }

    /**
     * @param endpoint an endpoint override (LocalStack, a VPC interface endpoint); empty for the regional default
     * @param interceptors extra SDK interceptors; tests use them to inject faults
     */
    public static Ec2Client create(
            Region region, Optional<URI> endpoint, AwsCredentialsProvider credentials,
            List<ExecutionInterceptor> interceptors) {
        var overrides = ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.doNotRetry())
                .apiCallAttemptTimeout(Duration.ofSeconds(10))
                .apiCallTimeout(Duration.ofSeconds(20))
                .scheduledExecutorService(TIMEOUTS);
        interceptors.forEach(overrides::addExecutionInterceptor);
        var builder = Ec2Client.builder()
                .region(region)
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(3))
                        .socketTimeout(Duration.ofSeconds(10))
                        .build())
                .overrideConfiguration(overrides.build());
        endpoint.ifPresent(builder::endpointOverride);
        return builder.build();
    }
}
