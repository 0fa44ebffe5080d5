package io.vpccni.rpc.message;

import static io.vpccni.rpc.message.Checks.nonBlank;

import java.util.List;

/**
 * CNI GC: release every attachment of {@code networkName} that is not in {@code valid}. An empty
 * list is meaningful (release everything of that network), so the list is never optional.
 */
public record GcRequest(String networkName, List<AttachmentKey> valid) implements IpamRequest {
    public GcRequest {
        nonBlank("networkName", networkName);
        valid = List.copyOf(valid);
    }
}
