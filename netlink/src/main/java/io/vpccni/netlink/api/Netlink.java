package io.vpccni.netlink.api;

import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.ns.NetNs;

import java.util.List;
import java.util.Optional;

/**
 * rtnetlink for one network namespace: links, IPv4 addresses, routes, rules and neighbours.
 * Each method names its {@code ip} equivalent. Every change is acknowledged by the kernel
 * before the method returns.
 *
 * <p>Errors are {@link NetlinkException}s naming the request and errno. Deleting something
 * that is not there throws {@link NetlinkException.NoSuchObject} (a missing link:
 * {@link NetlinkException.NoSuchLink}), so teardown code can treat "already gone" as done;
 * adding something that is there throws {@link NetlinkException.AlreadyExists}.
 *
 * <p>Implementations are thread-safe; the kernel implementation serialises requests on its socket.
 */
public interface Netlink extends AutoCloseable {

    // ---- links

    /** {@code ip link show}. */
    List<Link> links();

    /** {@code ip link show dev NAME}; empty when there is no such link. */
    Optional<Link> linkByName(String name);

    /** {@code ip link show} filtered on ifindex; empty when there is no such link. */
    Optional<Link> linkByIndex(int index);

    /** {@code ip link show | grep MAC}: the first link with that hardware address. */
    Optional<Link> linkByMac(MacAddress mac);

    /**
     * {@code ip link add NAME [mtu M] [address A] type veth peer name PEER [mtu M] [address B] [netns NS]}.
     * The peer of a veth is created directly in its target namespace.
     *
     * @return the created link in this namespace (the first end of a veth)
     * @throws NetlinkException.AlreadyExists when a link of that name exists (here, or the peer's name there)
     */
    Link addLink(LinkSpec spec);

    /** {@code ip link set dev X up}. */
    void setLinkUp(int index);

    /** {@code ip link set dev X down}. */
    void setLinkDown(int index);

    /** {@code ip link set dev X mtu M}. */
    void setMtu(int index, int mtu);

    /** {@code ip link set dev X name NAME}; the link must be down. */
    void renameLink(int index, String newName);

    /** {@code ip link set dev X netns NS}; the link gets a new ifindex there only if its own is taken. */
    void moveLink(int index, NetNs target);

    /** {@code ip link del dev X}; deleting either end of a veth removes both. */
    void deleteLink(int index);

    // ---- addresses (IPv4)

    /** {@code ip -4 addr show dev X}. */
    List<Addr> addresses(int linkIndex);

    /** {@code ip addr add A/P dev X}. */
    void addAddress(int linkIndex, Addr addr);

    /** {@code ip addr del A/P dev X}. */
    void deleteAddress(int linkIndex, Addr addr);

    // ---- routes (IPv4)

    /** {@code ip -4 route show table T} (kernel-made routes included; {@link Route#TABLE_MAIN} is 254). */
    List<Route> routes(int table);

    /** {@code ip route add DST [via GW] [dev X] [table T] [scope S] [metric M] [onlink]}. */
    void addRoute(Route route);

    /** {@code ip route replace ...}: adds or overwrites the route with the same destination, table and metric. */
    void replaceRoute(Route route);

    /** {@code ip route del ...}; scope, protocol and type of {@code route} are not used to match. */
    void deleteRoute(Route route);

    // ---- rules (IPv4)

    /** {@code ip -4 rule show}. */
    List<Rule> rules();

    /** {@code ip rule add prio P [from F] [to T] [fwmark M/K] [iif I] [oif O] lookup TABLE}. */
    void addRule(Rule rule);

    /** {@code ip rule del ...} with the same selectors. */
    void deleteRule(Rule rule);

    // ---- neighbours (IPv4)

    /** {@code ip -4 neigh show dev X}. */
    List<Neighbour> neighbours(int linkIndex);

    /** {@code ip neigh add IP lladdr MAC dev X nud STATE}. */
    void addNeighbour(Neighbour neighbour);

    /** {@code ip neigh replace IP lladdr MAC dev X nud STATE}. */
    void replaceNeighbour(Neighbour neighbour);

    /** {@code ip neigh del IP dev X}. */
    void deleteNeighbour(Neighbour neighbour);

    /** Closes the socket; idempotent. */
    @Override
    void close();
}
