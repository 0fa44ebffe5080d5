package io.vpccni.ipamd.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.port.InstanceMetadata;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A daemon that cannot start says why and is refused, never null: without its instance metadata service one line per
 * attempt and then the reason, never a trace; with a bad variable, the variable.
 */
class MainTest {
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void withNothingListeningAtTheMetadataEndpointTheDaemonSaysSoOnOneLineRetriesAndGivesUp() throws Exception {
        String endpoint = "http://127.0.0.1:" + closedPort();
        long began = System.nanoTime();

        var start = NodeDaemon.fromEnvironment(Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint),
                (config, metadata) -> {
                    throw new AssertionError("no host side without metadata");
                }, Duration.ofSeconds(3), err);

        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(60));
        List<String> lines = errBytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).as("one line per attempt, no stack trace").isNotEmpty()
                .allMatch(l -> l.startsWith("ipamd: "));
        assertThat(lines.getFirst()).startsWith("ipamd: no instance metadata at " + endpoint + " (attempt 1), "
                + "retrying in 1 s: cannot read instance metadata /latest/meta-data/");
        assertThat(start).isInstanceOfSatisfying(NodeDaemon.Start.Refused.class, refused ->
                assertThat(refused.reason()).startsWith("no instance metadata at " + endpoint + " after ")
                        .contains(" attempts in ").contains(" s, exiting: cannot read instance metadata")
                        .contains("Connection refused").doesNotContain("\n"));
    }

    @Test
    void anInvalidVariableIsRefusedWithItsNameBeforeAnythingIsAsked() throws Exception {
        var start = NodeDaemon.fromEnvironment(Map.of("WARM_IP_TARGET", "many"), (config, metadata) -> {
            throw new AssertionError("no host side with an invalid configuration");
        }, Duration.ofSeconds(3), err);

        assertThat(start).isInstanceOfSatisfying(NodeDaemon.Start.Refused.class, refused ->
                assertThat(refused.reason()).startsWith("invalid configuration, not starting")
                        .contains("WARM_IP_TARGET").contains("many"));
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).as("nothing was tried").isEmpty();
    }

    @Test
    void aMetadataServiceThatAnswersOnTheSecondAttemptIsWaitedFor() {
        InstanceIdentity node = new InstanceIdentity("i-1", "m5.large", "us-east-1a", "us-east-1", "02:00:00:00:00:01",
                "10.0.0.5");
        InstanceMetadata late = new InstanceMetadata() {
            int calls;

            @Override
            public InstanceIdentity identity() {
                if (calls++ == 0) {
                    throw new MetadataUnavailable("cannot read instance metadata: connection\nrefused", null);
                }
                return node;
            }

            @Override
            public List<EniMetadata> enis() {
                return List.of();
            }
        };

        var identity = MetadataWait.identity(late, URI.create("http://169.254.169.254"), Duration.ofSeconds(30), err);

        assertThat(identity).isEqualTo(new MetadataWait.Outcome.Answered(node));
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEqualTo("ipamd: no instance metadata at "
                + "http://169.254.169.254 (attempt 1), retrying in 1 s: cannot read instance metadata: connection "
                + "refused" + System.lineSeparator());
    }
}
