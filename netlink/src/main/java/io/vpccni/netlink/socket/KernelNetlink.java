package io.vpccni.netlink.socket;

import io.vpccni.netlink.api.Addr;
import io.vpccni.netlink.api.Link;
import io.vpccni.netlink.api.LinkSpec;
import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.api.Neighbour;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.api.Rule;
import io.vpccni.netlink.error.NetlinkException;
import io.vpccni.netlink.message.AddrMessages;
import io.vpccni.netlink.message.AddressFamily;
import io.vpccni.netlink.message.LinkMessages;
import io.vpccni.netlink.message.Message;
import io.vpccni.netlink.message.NeighbourMessages;
import io.vpccni.netlink.message.Request;
import io.vpccni.netlink.message.RouteMessages;
import io.vpccni.netlink.message.RtmType;
import io.vpccni.netlink.message.RuleMessages;
import io.vpccni.netlink.ns.NetNs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@link Netlink} over a real NETLINK_ROUTE socket. Code outside netlink gets its {@code Netlink} from {@link #open}
 * or {@link #openIn} and otherwise sees only the interface.
 */
public final class KernelNetlink implements Netlink {
    private final NetlinkSocket socket;

    private KernelNetlink(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** rtnetlink in the calling thread's network namespace (normally the process's). */
    public static KernelNetlink open() {
        return new KernelNetlink(NetlinkSocket.open());
    }

    /**
     * rtnetlink in {@code ns}: the socket is opened on a short-lived platform thread that has
     * entered {@code ns}, and stays bound there for its life, usable from any thread. The
     * {@code ns} handle may be closed afterwards.
     */
    public static Netlink openIn(NetNs ns) {
        return ns.run(KernelNetlink::open);
    }

    @Override
    public List<Link> links() {
        return query(LinkMessages.dump(), RtmType.NEWLINK, LinkMessages::decode, l -> true);
    }

    @Override
    public Optional<Link> linkByName(String name) {
        return single(LinkMessages.getByName(name));
    }

    @Override
    public Optional<Link> linkByIndex(int index) {
        return single(LinkMessages.getByIndex(index));
    }

    private Optional<Link> single(Request request) {
        try {
            List<Link> found = query(request, RtmType.NEWLINK, LinkMessages::decode, l -> true);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
        } catch (NetlinkException.NoSuchLink e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Link> linkByMac(MacAddress mac) {
        for (Link l : links()) {
            if (l.mac().equals(Optional.of(mac))) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }

    @Override
    public Link addLink(LinkSpec spec) {
        // An instanceof chain rather than a pattern switch over the sealed LinkSpec: a type switch
        // bootstraps (SwitchBootstraps.typeSwitch) a class generated at run time, which the AOT
        // cache cannot hold and a short-lived CNI process pays for on every ADD.
        if (spec instanceof LinkSpec.Veth veth) {
            socket.execute(LinkMessages.newVeth(veth, veth.peerNamespace().map(NetNs::fd).orElse(-1)));
        } else {
            throw new IllegalArgumentException("unsupported link spec " + spec.getClass().getName());
        }
        // Read back rather than echo: NLM_F_ECHO on RTM_NEWLINK needs a recent kernel.
        return linkByName(spec.name()).orElseThrow(() -> new IllegalStateException(
                "link " + spec.name() + " vanished right after it was created"));
    }

    @Override
    public void setLinkUp(int index) {
        socket.execute(LinkMessages.setUp(index, true));
    }

    @Override
    public void setLinkDown(int index) {
        socket.execute(LinkMessages.setUp(index, false));
    }

    @Override
    public void setMtu(int index, int mtu) {
        socket.execute(LinkMessages.setMtu(index, mtu));
    }

    @Override
    public void renameLink(int index, String newName) {
        socket.execute(LinkMessages.setName(index, newName));
    }

    @Override
    public void moveLink(int index, NetNs target) {
        socket.execute(LinkMessages.setNamespace(index, target.fd(), target.path().toString()));
    }

    @Override
    public void deleteLink(int index) {
        socket.execute(LinkMessages.delete(index));
    }

    @Override
    public List<Addr> addresses(int linkIndex) {
        List<Addr> out = new ArrayList<>();
        for (AddrMessages.Entry e : query(AddrMessages.dump(AddressFamily.AF_INET), RtmType.NEWADDR,
                AddrMessages::decode, e -> e.linkIndex() == linkIndex)) {
            out.add(e.addr());
        }
        return List.copyOf(out);
    }

    @Override
    public void addAddress(int linkIndex, Addr addr) {
        socket.execute(AddrMessages.add(linkIndex, addr));
    }

    @Override
    public void deleteAddress(int linkIndex, Addr addr) {
        socket.execute(AddrMessages.delete(linkIndex, addr));
    }

    @Override
    public List<Route> routes(int table) {
        return query(RouteMessages.dump(AddressFamily.AF_INET), RtmType.NEWROUTE, RouteMessages::decode,
                r -> r.table() == table);
    }

    @Override
    public void addRoute(Route route) {
        socket.execute(RouteMessages.add(route));
    }

    @Override
    public void replaceRoute(Route route) {
        socket.execute(RouteMessages.replace(route));
    }

    @Override
    public void deleteRoute(Route route) {
        socket.execute(RouteMessages.delete(route));
    }

    @Override
    public List<Rule> rules() {
        return query(RuleMessages.dump(AddressFamily.AF_INET), RtmType.NEWRULE, RuleMessages::decode, r -> true);
    }

    @Override
    public void addRule(Rule rule) {
        socket.execute(RuleMessages.add(rule));
    }

    @Override
    public void deleteRule(Rule rule) {
        socket.execute(RuleMessages.delete(rule));
    }

    @Override
    public List<Neighbour> neighbours(int linkIndex) {
        return query(NeighbourMessages.dump(AddressFamily.AF_INET), RtmType.NEWNEIGH, NeighbourMessages::decode,
                n -> n.linkIndex() == linkIndex);
    }

    @Override
    public void addNeighbour(Neighbour neighbour) {
        socket.execute(NeighbourMessages.add(neighbour));
    }

    @Override
    public void replaceNeighbour(Neighbour neighbour) {
        socket.execute(NeighbourMessages.replace(neighbour));
    }

    @Override
    public void deleteNeighbour(Neighbour neighbour) {
        socket.execute(NeighbourMessages.delete(neighbour));
    }

    @Override
    public void close() {
        socket.close();
    }

    /**
     * The replies of {@code replyType}, decoded, that {@code keep} accepts. A loop rather than a
     * stream: the first stream of a JVM initialises the stream framework's tables (reflection
     * included), which a CNI plugin process would pay on every ADD and DEL.
     */
    private <T> List<T> query(Request request, int replyType, Function<Message, T> decoder, Predicate<T> keep) {
        List<T> out = new ArrayList<>();
        for (Message m : socket.execute(request)) {
            if (m.header().type() == replyType) {
                T item = decoder.apply(m);
                if (keep.test(item)) {
                    out.add(item);
                }
            }
        }
        return List.copyOf(out);
    }
}
