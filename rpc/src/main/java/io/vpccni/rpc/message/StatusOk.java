package io.vpccni.rpc.message;

import static io.vpccni.rpc.message.Checks.nonNull;
import static io.vpccni.rpc.message.Checks.range;

/**
 * Pool readiness for CNI STATUS. {@code reason} is a human sentence, empty when ready;
 * {@code availableAddresses} excludes addresses still in cooldown.
 */
public record StatusOk(boolean ready, String reason, int availableAddresses) implements IpamReply {
    public StatusOk {
        nonNull("reason", reason);
        range("availableAddresses", availableAddresses, 0, Integer.MAX_VALUE);
    }
}
