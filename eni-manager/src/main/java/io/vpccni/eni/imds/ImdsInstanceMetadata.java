package io.vpccni.eni.imds;

import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.port.InstanceMetadata;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
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

    @Override
    public List<EniMetadata> enis() {
        return lines(get("network/interfaces/macs/")).stream()
                .map(entry -> entry.endsWith("/") ? entry.substring(0, entry.length() - 1) : entry)
                .map(this::eni)
                .sorted(Comparator.comparingInt(EniMetadata::deviceNumber))
                .toList();
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
            throw new MetadataUnavailable(
                    "cannot read instance metadata " + BASE + path + " from " + endpoint + ": " + e.getMessage(), e);
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
