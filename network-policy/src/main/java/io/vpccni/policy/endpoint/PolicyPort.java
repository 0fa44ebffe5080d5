package io.vpccni.policy.endpoint;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * One port of a rule: a protocol and, optionally, a port or a range {@code port..endPort}. No port means every port
 * of the protocol. Named ports never appear here: the controller resolves them per pod before writing.
 */
public record PolicyPort(Protocol protocol, OptionalInt port, OptionalInt endPort) {

    public PolicyPort {
        if (port.isPresent() && (port.getAsInt() < 1 || port.getAsInt() > 65535)) {
            throw new PolicyEndpointFormatException("port " + port.getAsInt() + " is outside 1-65535");
        }
        if (endPort.isPresent()) {
            if (port.isEmpty()) {
                throw new PolicyEndpointFormatException("endPort " + endPort.getAsInt() + " is given without port");
            }
            if (endPort.getAsInt() < port.getAsInt() || endPort.getAsInt() > 65535) {
                throw new PolicyEndpointFormatException("endPort " + endPort.getAsInt() + " is not in "
                        + port.getAsInt() + "-65535");
            }
        }
    }

    public static PolicyPort all(Protocol protocol) {
        return new PolicyPort(protocol, OptionalInt.empty(), OptionalInt.empty());
    }

    public static PolicyPort of(Protocol protocol, int port) {
        return new PolicyPort(protocol, OptionalInt.of(port), OptionalInt.empty());
    }

    public static PolicyPort range(Protocol protocol, int port, int endPort) {
        return new PolicyPort(protocol, OptionalInt.of(port), OptionalInt.of(endPort));
    }

    /** The last port of the range: endPort, else port; empty when every port is meant. */
    public Optional<Integer> last() {
        if (endPort.isPresent()) {
            return Optional.of(endPort.getAsInt());
        }
        return port.isPresent() ? Optional.of(port.getAsInt()) : Optional.empty();
    }
}
