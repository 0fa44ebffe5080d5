package io.vpccni.rpc.message;

import static io.vpccni.rpc.message.Checks.nonBlank;
import static io.vpccni.rpc.message.Checks.nonNull;

/**
 * Assign an address to the attachment (networkName, containerId, ifName). Idempotent: asking again
 * for a known key returns the same address. {@code podUid} may be empty, since older runtimes do
 * not pass K8S_POD_UID.
 */
public record AddRequest(
        String networkName,
        String containerId,
        String ifName,
        String netns,
        String podNamespace,
        String podName,
        String podUid) implements IpamRequest {
    public AddRequest {
        nonBlank("networkName", networkName);
        nonBlank("containerId", containerId);
        nonBlank("ifName", ifName);
        nonBlank("netns", netns);
        nonBlank("podNamespace", podNamespace);
        nonBlank("podName", podName);
        nonNull("podUid", podUid);
    }

    public AttachmentKey attachment() {
        return new AttachmentKey(containerId, ifName);
    }
}
