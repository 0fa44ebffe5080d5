package io.vpccni.rpc.message;

import static io.vpccni.rpc.message.Checks.ipv4;
import static io.vpccni.rpc.message.Checks.range;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a del. Empty when the key was unknown (already released, or never assigned):
 * still a success, as CNI DEL must be idempotent.
 */
public record DelOk(Optional<Released> released) implements IpamReply {
    public DelOk {
        Objects.requireNonNull(released, "released");
    }

    public static DelOk nothingReleased() {
        return new DelOk(Optional.empty());
    }

    /** What was freed, with where it lived, so the plugin can remove the pod's rule from that table. */
    public record Released(String ipv4Address, int deviceNumber, int routeTableId) {
        public Released {
            ipv4("released.ipv4Address", ipv4Address);
            range("released.deviceNumber", deviceNumber, 0, 1023);
            range("released.routeTableId", routeTableId, 1, Integer.MAX_VALUE);
        }
    }
}
