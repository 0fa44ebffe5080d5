package io.vpccni.eni.aws;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.EndpointTag;
import software.amazon.awssdk.regions.PartitionEndpointKey;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/** Builds the node's {@link Ec2QueryClient}: the SDK's URL-connection HTTP client, its time-outs, its endpoint. */
public final class Ec2Clients {

    /** The AWS SDKs' variable for EC2's endpoint. */
    public static final String ENDPOINT_URL = "AWS_ENDPOINT_URL_EC2";
    /** The AWS SDKs' variables for the FIPS and dual-stack variants of the regional endpoint. */
    public static final String USE_FIPS = "AWS_USE_FIPS_ENDPOINT";
    public static final String USE_DUALSTACK = "AWS_USE_DUALSTACK_ENDPOINT";

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
     * @param endpoint where EC2 is reached: {@link #endpointFrom} for the daemon, the emulator in tests
     * @param hooks changes to each request before it is signed; tests use them to inject faults
     */
    public static Ec2QueryClient create(
            Region region, URI endpoint, AwsCredentialsProvider credentials,
            List<Ec2QueryClient.RequestHook> hooks) {
        var http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(3))
                .socketTimeout(Duration.ofSeconds(10))
                .build();
        return new Ec2QueryClient(region.id(), endpoint, credentials, http,
                TIMEOUTS, CALL_TIMEOUT, hooks);
    }

    /**
     * The endpoint EC2 is reached at, from the AWS SDKs' standard variables as the SDK's own client read them:
     * {@value #ENDPOINT_URL} when set (an interface endpoint, the emulator), else the region's endpoint, its FIPS
     * variant with {@value #USE_FIPS}=true and its dual-stack one with {@value #USE_DUALSTACK}=true (both:
     * ec2-fips.REGION.api.aws), as the partition's metadata names them. Pure.
     *
     * @throws IllegalArgumentException a variable's value is not what it may be, named with the variable
     */
    public static URI endpointFrom(Map<String, String> environment, Region region) {
        String override = environment.getOrDefault(ENDPOINT_URL, "").strip();
        if (!override.isEmpty()) {
            URI uri;
            try {
                uri = new URI(override);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(ENDPOINT_URL + "='" + override + "' is invalid: " + e.getMessage());
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException(ENDPOINT_URL + "='" + override + "' is invalid: expected an"
                        + " http or https URL with a host");
            }
            return uri;
        }
        Set<EndpointTag> tags = new HashSet<>();
        if (flag(environment, USE_FIPS)) {
            tags.add(EndpointTag.FIPS);
        }
        if (flag(environment, USE_DUALSTACK)) {
            tags.add(EndpointTag.DUALSTACK);
        }
        return regionalEndpoint(region, tags);
    }

    private static boolean flag(Map<String, String> environment, String name) {
        String value = environment.getOrDefault(name, "").strip();
        if (value.isEmpty() || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        throw new IllegalArgumentException(name + "='" + value + "' is invalid: expected true or false");
    }

    /** EC2's endpoint in the region, e.g. https://ec2.us-east-1.amazonaws.com, with the variants {@code tags} ask. */
    private static URI regionalEndpoint(Region region, Set<EndpointTag> tags) {
        PartitionMetadata partition = PartitionMetadata.of(region);
        PartitionEndpointKey key = PartitionEndpointKey.builder().tags(tags).build();
        return URI.create("https://" + partition.hostname(key).replace("{service}", "ec2")
                .replace("{region}", region.id()).replace("{dnsSuffix}", partition.dnsSuffix(key)));
    }
}
