package io.vpccni.rpc.message;

import static io.vpccni.rpc.message.Checks.nonBlank;
import static io.vpccni.rpc.message.Checks.nonNull;

/**
 * Release whatever the attachment holds. The key is required; the pod fields are informational
 * (for logs and cross-checks) and may be empty, because a DEL may arrive with little context.
 * An unknown key is not an error: ipamd replies {@link DelOk} with nothing released.
 */
public record DelRequest(
        String networkName,
        String containerId,
        String ifName,
        String podNamespace,
        String podName,
        String podUid) implements IpamRequest {
    public DelRequest {
        nonBlank("networkName", networkName);
        nonBlank("containerId", containerId);
        nonBlank("ifName", ifName);
        nonNull("podNamespace", podNamespace);
        nonNull("podName", podName);
        nonNull("podUid", podUid);
    }

    public AttachmentKey attachment() {
        return new AttachmentKey(containerId, ifName);
    }
}
