package io.vpccni.it.vpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpccni.netlink.api.Addr;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Link;
import io.vpccni.netlink.api.LinkSpec;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.error.NetlinkException;
import java.io.IOException;
import java.net.Inet4Address;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The namespace that stands in for the VPC router. Each ENI is a veth pair: the node end carries the ENI's MAC
 * (ipamd finds ENI links by MAC), the fabric end holds the subnet gateway as a /32 with proxy ARP, so nodes reach
 * every address of the subnet on-link and the fabric answers for the ones it routes elsewhere. The fabric routes
 * each ENI's primary address on its link and every secondary address {@code via} that primary address, so no
 * static neighbour entries are needed. It has no link to the root namespace.
 */
public final class Fabric implements AutoCloseable {

    /** ENIs run jumbo frames, and ipamd sets AWS_VPC_ENI_MTU on the node end; both ends agree. */
    static final int MTU = 9001;

    private final Namespace ns;
    private final Map<Integer, Namespace> nodes = new HashMap<>();
    private final Map<String, EniLink> links = new HashMap<>();
    private final Map<IpPrefix, Inet4Address> routes = new HashMap<>();
    private final ObjectMapper json = new ObjectMapper();

    private Fabric(Namespace ns) {
        this.ns = ns;
    }

    public static Fabric create(String name) {
        Namespace ns = Namespace.create(name);
        try {
            ns.sysctl("net.ipv4.ip_forward", "1");
            // Replies to a pod on a secondary ENI may leave the node through another ENI (SNAT'd traffic goes out
            // of the primary): a router in a VPC does not filter on the reverse path, neither does this one.
            ns.sysctl("net.ipv4.conf.all.rp_filter", "0");
            ns.sysctl("net.ipv4.conf.default.rp_filter", "0");
            return new Fabric(ns);
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    public Namespace namespace() {
        return ns;
    }

    /** Makes node {@code index}'s ENIs appear in {@code node} when the plan lists them. */
    public synchronized void addNode(int index, Namespace node) {
        nodes.put(index, node);
    }

    /** An address on the fabric's loopback, e.g. an "outside" host or a service endpoint. */
    public void addLoopbackAddress(Inet4Address address) {
        Netlink nl = ns.netlink();
        int lo = nl.linkByName("lo").orElseThrow().index();
        nl.addAddress(lo, new Addr(address, 32));
    }

    /** Brings links and routes to the plan: removed ENIs first (a device index may be reused), then new ones. */
    public synchronized void apply(FabricPlan plan) {
        Netlink nl = ns.netlink();
        for (EniLink gone : List.copyOf(links.values())) {
            EniLink wanted = plan.links().get(gone.eniId());
            if (!gone.equals(wanted)) {
                detach(gone);
            }
        }
        for (EniLink link : plan.links().values()) {
            if (!links.containsKey(link.eniId()) && nodes.containsKey(link.node())) {
                attach(link);
            }
        }
        for (var route : List.copyOf(routes.entrySet())) {
            Optional<Inet4Address> hop = plan.nextHop(route.getKey()).filter(this::onAttachedLink);
            if (hop.isEmpty() || !hop.get().equals(route.getValue())) {
                ignoreMissing(() -> nl.deleteRoute(Route.to(route.getKey()).withGateway(route.getValue())));
                routes.remove(route.getKey());
            }
        }
        for (IpPrefix address : plan.routes().keySet()) {
            Optional<Inet4Address> hop = plan.nextHop(address).filter(this::onAttachedLink);
            if (hop.isPresent() && !hop.get().equals(routes.get(address))) {
                nl.replaceRoute(Route.to(address).withGateway(hop.get()));
                routes.put(address, hop.get());
            }
        }
    }

    public synchronized Map<String, EniLink> links() {
        return Map.copyOf(links);
    }

    public synchronized Map<IpPrefix, Inet4Address> routes() {
        return Map.copyOf(routes);
    }

    /** Bytes the fabric received on an ENI's link, i.e. sent by the node out of that ENI. */
    public long bytesFromNode(int node, int deviceIndex) {
        return counter("n" + node + "e" + deviceIndex, "rx");
    }

    /** Bytes the fabric sent on an ENI's link, i.e. delivered to the node through that ENI. */
    public long bytesToNode(int node, int deviceIndex) {
        return counter("n" + node + "e" + deviceIndex, "tx");
    }

    private long counter(String link, String direction) {
        try {
            JsonNode stats = json.readTree(ns.ip("-j", "-s", "link", "show", "dev", link)).get(0);
            return stats.path("stats64").path(direction).path("bytes").asLong();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read counters of " + link, e);
        }
    }

    private boolean onAttachedLink(Inet4Address primaryIp) {
        return links.values().stream().anyMatch(l -> l.primaryIp().equals(primaryIp));
    }

    /**
     * What EC2 does when an ENI is attached: the device appears on the instance. For the primary ENI this also
     * does what the instance's DHCP client does at boot: the primary address and the default route.
     */
    private void attach(EniLink link) {
        Namespace node = nodes.get(link.node());
        Netlink nl = ns.netlink();
        Link fabricEnd = nl.addLink(LinkSpec.Veth.of(link.fabricName(), link.nodeName()).withMtu(MTU)
                .withPeerMac(link.mac()).withPeerIn(node.handle()));
        links.put(link.eniId(), link);
        ns.sysctl("net.ipv4.conf." + link.fabricName() + ".proxy_arp", "1");
        nl.addAddress(fabricEnd.index(), new Addr(link.gateway(), 32));
        nl.setLinkUp(fabricEnd.index());
        nl.addRoute(Route.to(IpPrefix.host(link.primaryIp())).withLinkIndex(fabricEnd.index())
                .withScope(Route.SCOPE_LINK));
        if (link.deviceIndex() == 0) {
            Netlink inNode = node.netlink();
            Link eth0 = inNode.linkByName(link.nodeName()).orElseThrow();
            inNode.addAddress(eth0.index(), new Addr(link.primaryIp(), link.subnet().length()));
            inNode.setLinkUp(eth0.index());
            inNode.addRoute(Route.to(IpPrefix.defaultIpv4()).withGateway(link.gateway()).withLinkIndex(eth0.index()));
        }
    }

    /** What EC2 does on detach: the device disappears from the instance (deleting one veth end removes both). */
    private void detach(EniLink link) {
        Netlink nl = ns.netlink();
        nl.linkByName(link.fabricName()).ifPresent(l -> ignoreMissing(() -> nl.deleteLink(l.index())));
        links.remove(link.eniId());
        routes.values().removeIf(hop -> hop.equals(link.primaryIp()));
    }

    private static void ignoreMissing(Runnable action) {
        try {
            action.run();
        } catch (NetlinkException.NoSuchObject gone) {
            // already gone is the state we want
        }
    }

    @Override
    public void close() {
        ns.close();
    }
}
