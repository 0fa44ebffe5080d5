package io.vpccni.eni.imds;

import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.port.InstanceMetadata;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.imds.Ec2MetadataClient;
import software.amazon.awssdk.imds.Ec2MetadataClientException;

/**
 * {@link InstanceMetadata} through the SDK's IMDSv2 client (session tokens, PUT /latest/api/token).
 * A token the service no longer accepts (401) makes us start a new session once; the SDK would keep its cached one.
 */
public final class ImdsInstanceMetadata implements InstanceMetadata {

    private static final String BASE = "/latest/meta-data/";

    private final Supplier<Ec2MetadataClient> clientFactory;
    private final URI endpoint;
    private volatile Ec2MetadataClient client;

    public ImdsInstanceMetadata(URI endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.clientFactory = () -> Ec2MetadataClient.builder()
                .endpoint(endpoint)
                .tokenTtl(Duration.ofHours(6))
                .retryPolicy(p -> p.numRetries(2))
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout).build())
                .build();
        this.client = clientFactory.get();
    }

    /** The endpoint aws-node uses: AWS_EC2_METADATA_SERVICE_ENDPOINT when set, else 169.254.169.254. */
    public static URI endpointFrom(java.util.Map<String, String> environment) {
        String value = environment.getOrDefault("AWS_EC2_METADATA_SERVICE_ENDPOINT", "");
        return URI.create(value.isBlank() ? "http://169.254.169.254" : value);
    }

    @Override
    public InstanceIdentity identity() {
        String az = get("placement/availability-zone");
        String region = optional("placement/region").orElse(az.substring(0, az.length() - 1));
        return new InstanceIdentity(get("instance-id"), get("instance-type"), az, region, get("mac"),
                get("local-ipv4"));
    }

    /**
     * The attached ENIs, each read by a virtual thread of its own: an ENI is ten requests one after the other, and
     * the start waits for all of them (a 3-ENI walk took 1.4 s through VPC in a box's metadata service, one ENI's
     * time in parallel; on EC2 each request is about a millisecond either way).
     */
    @Override
    public List<EniMetadata> enis() {
        List<String> macs = lines(get("network/interfaces/macs/")).stream()
                .map(entry -> entry.endsWith("/") ? entry.substring(0, entry.length() - 1) : entry)
                .toList();
        List<Future<EniMetadata>> reads = new ArrayList<>();
        try (ExecutorService perEni = Executors.newVirtualThreadPerTaskExecutor()) {
            macs.forEach(mac -> reads.add(perEni.submit(() -> eni(mac))));
        }
        return reads.stream().map(ImdsInstanceMetadata::done)
                .sorted(Comparator.comparingInt(EniMetadata::deviceNumber))
                .toList();
    }

    /** A finished read's ENI, or what stopped it, as the read itself threw it. */
    private static EniMetadata done(Future<EniMetadata> read) {
        if (read.state() == Future.State.SUCCESS) {
            return read.resultNow();
        }
        if (read.state() == Future.State.FAILED && read.exceptionNow() instanceof RuntimeException e) {
            throw e;
        }
        throw new IllegalStateException("reading an ENI from instance metadata ended " + read.state(),
                read.state() == Future.State.FAILED ? read.exceptionNow() : null);
    }

    private EniMetadata eni(String mac) {
        String base = "network/interfaces/macs/" + mac + "/";
        return new EniMetadata(
                mac,
                get(base + "interface-id"),
                Integer.parseInt(get(base + "device-number").trim()),
                get(base + "subnet-id"),
                get(base + "vpc-id"),
                lines(optional(base + "security-group-ids").orElse("")),
                lines(optional(base + "local-ipv4s").orElse("")),
                lines(optional(base + "ipv4-prefix").orElse("")),
                get(base + "subnet-ipv4-cidr-block"),
                lines(optional(base + "vpc-ipv4-cidr-blocks").orElse("")));
    }

    private String get(String path) {
        return optional(path).orElseThrow(() -> new MetadataUnavailable(
                "instance metadata at " + endpoint + " has no " + BASE + path + " (404)", null));
    }

    /** The value at a path, or empty when IMDS answers 404 (the key does not exist, e.g. no prefixes). */
    private Optional<String> optional(String path) {
        try {
            return Optional.of(fetch(path));
        } catch (Ec2MetadataClientException e) {
            if (e.statusCode() == 401) {
                client = clientFactory.get();
                try {
                    return Optional.of(fetch(path));
                } catch (Ec2MetadataClientException again) {
                    return notFoundOrFail(path, again);
                }
            }
            return notFoundOrFail(path, e);
        } catch (SdkClientException | java.io.UncheckedIOException e) {
            // The SDK's message after its retries is only "Exceeded maximum number of retries": the last answer
            // (an HTTP status, a refused connection) is its cause.
            String last = e.getCause() == null ? "" : " (last: " + e.getCause().getMessage() + ")";
            throw new MetadataUnavailable("cannot read instance metadata " + BASE + path + " from " + endpoint + ": "
                    + e.getMessage() + last, e);
        }
    }

    private String fetch(String path) {
        return client.get(BASE + path).asString();
    }

    private Optional<String> notFoundOrFail(String path, Ec2MetadataClientException e) {
        if (e.statusCode() == 404) {
            return Optional.empty();
        }
        throw new MetadataUnavailable("instance metadata " + BASE + path + " at " + endpoint + " answered HTTP "
                + e.statusCode(), e);
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\\s+")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
