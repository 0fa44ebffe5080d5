package io.vpccni.netlink.api;

import io.vpccni.netlink.ns.NetNs;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@link Netlink#addLink} creates. A closed set; only veth today (the dummy module is not
 * available on our nodes, and nothing else is needed by the CNI).
 */
public sealed interface LinkSpec permits LinkSpec.Veth {

    /** Name of the device created in the socket's own namespace. */
    String name();

    /**
     * A veth pair. The first end ({@code name}) is created in the namespace of the
     * {@link Netlink} that creates it; the peer is created directly in {@code peerNamespace}
     * (IFLA_NET_NS_FD in the peer's info) when given, so it never appears in this namespace,
     * where its name might clash.
     *
     * @param mtu        0 for the kernel default (1500)
     * @param txQueueLen both ends' transmit queue length; empty for the kernel default (1000)
     */
    record Veth(String name, int mtu, Optional<MacAddress> mac, String peerName, Optional<MacAddress> peerMac,
                Optional<NetNs> peerNamespace, OptionalInt txQueueLen) implements LinkSpec {
        public Veth {
            LinkNames.check(name);
            LinkNames.check(peerName);
            if (mtu < 0) {
                throw new IllegalArgumentException("negative MTU " + mtu);
            }
            if (txQueueLen.isPresent() && txQueueLen.getAsInt() < 0) {
                throw new IllegalArgumentException("negative transmit queue length " + txQueueLen.getAsInt());
            }
        }

        /** A veth {@code name} with peer {@code peerName} in the same namespace, default MTU, kernel MACs. */
        public static Veth of(String name, String peerName) {
            return new Veth(name, 0, Optional.empty(), peerName, Optional.empty(), Optional.empty(),
                    OptionalInt.empty());
        }

        public Veth withMtu(int value) {
            return new Veth(name, value, mac, peerName, peerMac, peerNamespace, txQueueLen);
        }

        public Veth withMac(MacAddress value) {
            return new Veth(name, mtu, Optional.of(value), peerName, peerMac, peerNamespace, txQueueLen);
        }

        public Veth withPeerMac(MacAddress value) {
            return new Veth(name, mtu, mac, peerName, Optional.of(value), peerNamespace, txQueueLen);
        }

        /** Creates the peer directly in {@code ns}; the handle must stay open until {@code addLink} returns. */
        public Veth withPeerIn(NetNs ns) {
            return new Veth(name, mtu, mac, peerName, peerMac, Optional.of(ns), txQueueLen);
        }

        /** Both ends get this transmit queue length ({@code ip link add ... txqueuelen N}). */
        public Veth withTxQueueLen(int value) {
            return new Veth(name, mtu, mac, peerName, peerMac, peerNamespace, OptionalInt.of(value));
        }
    }
}
