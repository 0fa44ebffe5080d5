package io.vpccni.policy.resolve;

import io.vpccni.policy.endpoint.Protocol;
import java.util.List;
import java.util.Set;

/** The expected reachability of a case: whether {@code from} may open a connection to {@code to} on a port. */
@FunctionalInterface
public interface Reach {

    boolean allowed(Probe probe);

    Reach ALL = p -> true;

    /** The three servers every pod runs. */
    List<Probe.Port> PORTS = List.of(new Probe.Port(Protocol.TCP, 80), new Probe.Port(Protocol.TCP, 81),
            new Probe.Port(Protocol.UDP, 80));

    /** One connection of the matrix: pods as namespace/name. */
    record Probe(String from, String to, Port port) {

        public record Port(Protocol protocol, int number) {
            @Override
            public String toString() {
                return protocol + "/" + number;
            }
        }

        public String fromNs() {
            return from.substring(0, from.indexOf('/'));
        }

        public String toNs() {
            return to.substring(0, to.indexOf('/'));
        }

        public String fromPod() {
            return from.substring(from.indexOf('/') + 1);
        }

        public boolean from(String... pods) {
            return Set.of(pods).contains(from);
        }

        public boolean to(String... pods) {
            return Set.of(pods).contains(to);
        }

        public boolean fromNs(String... namespaces) {
            return Set.of(namespaces).contains(fromNs());
        }

        public boolean toNs(String... namespaces) {
            return Set.of(namespaces).contains(toNs());
        }

        public boolean tcp(int number) {
            return port.protocol() == Protocol.TCP && port.number() == number;
        }

        public boolean udp80() {
            return port.protocol() == Protocol.UDP && port.number() == 80;
        }
    }
}
