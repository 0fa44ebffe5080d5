package io.vpccni.it.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The emulator's latency and throttling (test-localstack/emulator/vpccni_ec2_fidelity.py), switched on for the tests
 * that are about time and back off when closed: {@code try (var timing = EmulatorTiming.realistic()) { ... }}.
 * Both are off by default so the other tests stay fast. One setting for the whole emulator: tests run one at a time.
 */
public final class EmulatorTiming implements AutoCloseable {

    private static final URI CONFIG = LocalStack.ENDPOINT.resolve("/_vpccni/ec2/config");
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmulatorTiming(Map<String, Object> config) {
        post(config);
    }

    /** The fidelity layer's default latencies (an attachment takes 3 s) and EC2's documented token buckets. */
    public static EmulatorTiming realistic() {
        return new EmulatorTiming(Map.of("latency", "default", "throttling", true));
    }

    /** Latencies in milliseconds by API name ("attachment" for attaching to attached), and throttling on or off. */
    public static EmulatorTiming of(Map<String, Integer> latencyMs, boolean throttling) {
        return new EmulatorTiming(Map.of("latency", latencyMs, "throttling", throttling));
    }

    /** Throttling only, with the given bucket [capacity, refill per second] for a category (e.g. "mutating"). */
    public static EmulatorTiming throttling(String category, double capacity, double refillPerSecond) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("throttling", true);
        config.put("buckets", Map.of(category, new double[] {capacity, refillPerSecond}));
        return new EmulatorTiming(config);
    }

    /** What the emulator has now. */
    public static JsonNode current() {
        return send(HttpRequest.newBuilder(CONFIG).GET());
    }

    @Override
    public void close() {
        post(Map.of());
    }

    private static void post(Map<String, Object> config) {
        try {
            send(HttpRequest.newBuilder(CONFIG).POST(HttpRequest.BodyPublishers.ofString(
                    JSON.writeValueAsString(config))).header("Content-Type", "application/json"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode emulator configuration " + config, e);
        }
    }

    private static JsonNode send(HttpRequest.Builder request) {
        LocalStack.ensureRunning();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpResponse<String> reply = http.send(request.timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (reply.statusCode() != 200) {
                throw new IllegalStateException("the emulator refused its configuration: " + reply.statusCode() + " "
                        + reply.body());
            }
            return JSON.readTree(reply.body());
        } catch (IOException e) {
            throw new IllegalStateException("the emulator's fidelity layer does not answer at " + CONFIG
                    + " (is LocalStack running without it? test-localstack/emulator/localstack.sh starts it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted configuring the emulator", e);
        }
    }
}
