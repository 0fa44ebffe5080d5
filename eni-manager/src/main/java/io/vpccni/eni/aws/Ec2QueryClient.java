package io.vpccni.eni.aws;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * ipamd's own EC2 client, on EC2's Query protocol: an HTTP POST of the form {@code Action=...&Version=2016-11-15&...}
 * signed with SigV4, an XML reply.
 *
 * <p>Why not the AWS SDK's {@code Ec2Client}, when the project otherwise prefers the well-kept library: ipamd runs on
 * every node and must stay under 100 MiB resident. When the JVM verifies the SDK's generated {@code DefaultEc2Client}
 * it loads all ~742 EC2 request classes (each operation passes its request where an {@code SdkRequest} is expected),
 * about 15.7 MiB of metaspace, and the client's handler pipeline, endpoint rules and interceptors keep ~2,400 SDK
 * classes and ~6,500 {@code ServiceEndpointKey} objects loaded; ipamd calls 11 operations. With the SDK's classes
 * exempt from verification ipamd measured 106.2 MiB at 250 pods against 119.9 (BENCHMARKS.md, "ipamd: an EC2 client
 * of its own"); this client removes the rest. The SDK still does what it keeps well: credentials
 * ({@link AwsCredentialsProvider}), SigV4 ({@link AwsV4HttpSigner}) and the HTTP client ({@link SdkHttpClient}).
 *
 * <p>I/O: one HTTP exchange per {@link #call}, bounded by the call time-out (on the shared timer, which aborts the
 * exchange) and by {@link #MAX_REPLY_BYTES}. No retries: {@code Ec2Guard} retries. Thread-safe.
 */
public final class Ec2QueryClient implements AutoCloseable {

    /** A describe of every ENI of a large node is a few MiB; more is not EC2 talking. */
    static final int MAX_REPLY_BYTES = 64 << 20;

    /**
     * Changes a request before it is signed and sent, given the EC2 action; tests use it to add a header or to send a
     * call to a server that answers with EC2's error.
     */
    @FunctionalInterface
    public interface RequestHook {
        SdkHttpRequest beforeSigning(String action, SdkHttpRequest request);
    }

    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    /** Names the caller in CloudTrail's userAgent, as aws-node's "amazon-vpc-cni-k8s" does. */
    static final String USER_AGENT = "vpc-cni-java-ipamd";

    private final String region;
    private final URI endpoint;
    private final AwsCredentialsProvider credentials;
    private final SdkHttpClient http;
    private final ScheduledExecutorService timer;
    private final Duration callTimeout;
    private final List<RequestHook> hooks;

    /**
     * @param region the signing region, e.g. "us-east-1"
     * @param endpoint EC2's endpoint: the regional one or an override (the emulator, a VPC interface endpoint)
     * @param timer runs the time-outs that abort a call running longer than {@code callTimeout}
     */
    public Ec2QueryClient(String region, URI endpoint, AwsCredentialsProvider credentials, SdkHttpClient http,
            ScheduledExecutorService timer, Duration callTimeout, List<RequestHook> hooks) {
        if (endpoint.getScheme() == null || endpoint.getHost() == null) {
            throw new IllegalArgumentException("EC2 endpoint " + endpoint + " needs a scheme and a host");
        }
        this.region = region;
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.http = http;
        this.timer = timer;
        this.callTimeout = callTimeout;
        this.hooks = List.copyOf(hooks);
    }

    public URI endpoint() {
        return endpoint;
    }

    /**
     * Sends the request and returns the reply's root element.
     *
     * @throws Ec2QueryException.ServiceError EC2 answered with an error
     * @throws Ec2QueryException.NoAnswer no reply, or one that is not EC2's XML
     */
    XmlElement call(QueryForm form) {
        String action = form.action();
        byte[] body = form.encode().getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty()
                        ? endpoint.resolve("/") : endpoint)
                .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .putHeader("Content-Length", Integer.toString(body.length))
                .putHeader("User-Agent", USER_AGENT)
                .build();
        for (RequestHook hook : hooks) {
            request = hook.beforeSigning(action, request);
        }
        SignedRequest signed = sign(action, request, body);
        ExecutableHttpRequest exchange = http.prepareRequest(HttpExecuteRequest.builder()
                .request(signed.request())
                .contentStreamProvider(signed.payload().orElse(ContentStreamProvider.fromByteArrayUnsafe(body)))
                .build());
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> timeout = timer.schedule(() -> {
            timedOut.set(true);
            exchange.abort();
        }, callTimeout.toNanos(), TimeUnit.NANOSECONDS);
        int status;
        byte[] reply;
        try {
            HttpExecuteResponse response = exchange.call();
            status = response.httpResponse().statusCode();
            reply = read(response.responseBody());
        } catch (IOException | RuntimeException e) {
            // Whatever the HTTP client throws, EC2 said nothing: retryable, as the SDK's SdkClientException was.
            throw noAnswer(action, timedOut.get(), e);
        } finally {
            timeout.cancel(false);
        }
        return reply(action, status, reply);
    }

    /**
     * Credentials that cannot be had (the instance role's, from instance metadata, for a moment unreachable) are no
     * answer either: the guard retries them as the SDK's client had it.
     */
    private SignedRequest sign(String action, SdkHttpRequest request, byte[] body) {
        try {
            AwsCredentialsIdentity identity = credentials.resolveCredentials();
            return SIGNER.sign(r -> r.identity(identity).request(request)
                    .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ec2")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        } catch (RuntimeException e) {
            throw new Ec2QueryException.NoAnswer(action + ": cannot sign the request: " + e.getMessage(), e);
        }
    }

    private Ec2QueryException.NoAnswer noAnswer(String action, boolean timedOut, Exception e) {
        return new Ec2QueryException.NoAnswer(timedOut
                ? action + " to " + endpoint + ": no answer within " + callTimeout.toMillis() + " ms"
                : action + " to " + endpoint + ": " + e.getMessage(), e);
    }

    /** The reply's root element, or the exception its error reply stands for. Pure. */
    static XmlElement reply(String action, int status, byte[] body) {
        XmlElement root;
        try {
            root = XmlElement.parse(body);
        } catch (IllegalArgumentException e) {
            if (status / 100 == 2) {
                throw new Ec2QueryException.NoAnswer(action + ": HTTP " + status + " with a reply that is not XML", e);
            }
            throw new Ec2QueryException.ServiceError("", "HTTP " + status + " without an EC2 error reply", "", status);
        }
        if (status / 100 == 2) {
            return root;
        }
        Optional<XmlElement> error = root.find("Error");
        String requestId = root.find("RequestID").or(() -> root.find("RequestId")).map(XmlElement::text).orElse("");
        throw new Ec2QueryException.ServiceError(
                error.flatMap(e -> e.text("Code")).orElse("").strip(),
                error.flatMap(e -> e.text("Message")).orElse("HTTP " + status + " without an error message"),
                requestId.strip(), status);
    }

    private static byte[] read(Optional<? extends InputStream> body) throws IOException {
        if (body.isEmpty()) {
            return new byte[0];
        }
        try (InputStream in = body.get()) {
            byte[] bytes = in.readNBytes(MAX_REPLY_BYTES + 1);
            if (bytes.length > MAX_REPLY_BYTES) {
                throw new IOException("reply longer than " + MAX_REPLY_BYTES + " bytes");
            }
            return bytes;
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
