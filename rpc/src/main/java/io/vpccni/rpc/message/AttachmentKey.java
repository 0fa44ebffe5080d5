package io.vpccni.rpc.message;

import static io.vpccni.rpc.message.Checks.nonBlank;

/** One CNI attachment inside a network: the runtime's (containerID, ifname) pair. */
public record AttachmentKey(String containerId, String ifName) {
    public AttachmentKey {
        nonBlank("containerId", containerId);
        nonBlank("ifName", ifName);
    }
}
