package io.vpccni.ipamd.app;

import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.port.InstanceMetadata;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;

/**
 * A starting daemon's wait for its instance metadata service: the identity, retried with a doubling pause (1 s, at
 * most 16 s) while the service does not answer, for at most the patience given, with one line per failed attempt.
 */
final class MetadataWait {

    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(16);

    /** The instance's identity, or why there is none. */
    sealed interface Outcome {
        record Answered(InstanceIdentity identity) implements Outcome {}

        record GaveUp(String reason) implements Outcome {}
    }

    private MetadataWait() {}

    static Outcome identity(InstanceMetadata metadata, URI endpoint, Duration patience, PrintStream err) {
        long started = System.nanoTime();
        long deadline = started + patience.toNanos();
        Duration pause = FIRST_RETRY;
        for (int attempt = 1; ; attempt++) {
            String failure;
            try {
                return new Outcome.Answered(metadata.identity());
            } catch (InstanceMetadata.MetadataUnavailable e) {
                failure = oneLine(e);
            }
            long now = System.nanoTime();
            if (deadline - now < pause.toNanos()) {
                return new Outcome.GaveUp("no instance metadata at " + endpoint + " after " + attempt
                        + " attempts in " + Duration.ofNanos(now - started).toSeconds() + " s, exiting: " + failure
                        + " (ipamd learns its instance, ENIs and subnets there; AWS_EC2_METADATA_SERVICE_ENDPOINT"
                        + " names another endpoint)");
            }
            err.println("ipamd: no instance metadata at " + endpoint + " (attempt " + attempt + "), retrying in "
                    + pause.toSeconds() + " s: " + failure);
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome.GaveUp("interrupted while waiting for instance metadata at " + endpoint);
            }
            pause = pause.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : pause.multipliedBy(2);
        }
    }

    /** The failure and, when the SDK's message hides it ("Exceeded maximum number of retries"), its root cause. */
    private static String oneLine(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = String.valueOf(e.getMessage());
        if (root != e && root.getMessage() != null && !text.contains(root.getMessage())) {
            text += " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return text.replaceAll("\\s+", " ");
    }
}
