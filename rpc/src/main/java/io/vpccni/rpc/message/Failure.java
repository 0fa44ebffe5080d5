package io.vpccni.rpc.message;

import static io.vpccni.rpc.message.Checks.nonBlank;

import java.util.Objects;

/**
 * A request ipamd could not serve: a machine-readable {@link ReasonCode}, a human sentence that
 * names the real cause (for example "subnet subnet-0abc has no free addresses"), and whether the
 * same request may succeed later.
 */
public record Failure(ReasonCode reason, String message, boolean retryable) implements IpamReply {
    public Failure {
        Objects.requireNonNull(reason, "reason");
        nonBlank("message", message);
    }

    /** A failure whose retryability is the reason's default. */
    public static Failure of(ReasonCode reason, String message) {
        return new Failure(reason, message, reason.retryable());
    }

    /** The CNI error code the plugin reports for this failure. */
    public int cniCode() {
        return reason.cniCode();
    }
}
