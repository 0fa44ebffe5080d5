package io.vpccni.ipamd.hostnet;

import io.vpccni.netlink.api.Addr;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Link;
import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.api.Rule;
import io.vpccni.netlink.error.NetlinkException;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Brings a secondary ENI's link into the state {@link EniLayout} describes, and takes it out again. Each step
 * reads the kernel first and changes only what differs, so a restart finds correct state and leaves it alone,
 * and a second call returns {@link Changes#none()}.
 */
public final class EniNetworkConfigurator {
    private static final System.Logger LOG = System.getLogger(EniNetworkConfigurator.class.getName());

    private final Netlink netlink;
    private final int mtu;
    private final LinkRetry linkRetry;

    /**
     * @param netlink   rtnetlink in the node's namespace
     * @param mtu       AWS_VPC_ENI_MTU
     * @param linkRetry how long to wait for a new ENI's link to show up
     */
    public EniNetworkConfigurator(Netlink netlink, int mtu, LinkRetry linkRetry) {
        this.netlink = Objects.requireNonNull(netlink, "netlink");
        this.mtu = mtu;
        this.linkRetry = Objects.requireNonNull(linkRetry, "linkRetry");
    }

    /**
     * The primary ENI keeps main as its table; only its MTU is ours to set (as aws-vpc-cni does at start).
     *
     * @throws EniLinkNotFoundException when no link has {@code mac} within the retry bound
     */
    public Changes configurePrimary(MacAddress mac) throws InterruptedException {
        Link link = awaitLink(mac, "primary ENI");
        Changes.Recorder changes = new Changes.Recorder();
        ensureMtu(link, "primary ENI " + mac, changes);
        return done("primary ENI " + mac, changes);
    }

    /**
     * Link up with the MTU, primary address, table N+1, main's subnet route removed, the from-rule in place.
     *
     * @throws EniLinkNotFoundException when no link has the ENI's MAC within the retry bound
     * @throws NetlinkException         when the kernel refuses a change; state is left part-way and a retry
     *                                  continues from there
     */
    public Changes setUp(SecondaryEni eni) throws InterruptedException {
        Link link = awaitLink(eni.mac(), "ENI " + eni.eniId());
        EniLayout layout = new EniLayout(eni, link.index());
        String what = "ENI " + eni.eniId() + " (" + link.name() + ", table " + eni.routeTable() + ")";
        Changes.Recorder changes = new Changes.Recorder();

        ensureMtu(link, what, changes);
        if (!link.up()) {
            netlink.setLinkUp(link.index());
            changes.add("set " + link.name() + " up");
        }
        ensureAddress(layout, link, changes);
        ensureTableRoutes(layout, changes);
        removeMainSubnetRoute(layout, link, changes);
        ensureRule(layout, changes);
        return done(what, changes);
    }

    /**
     * Removes the ENI's rule and every route of its table, and its primary address if the link is still there
     * (a detached ENI's link is already gone, taking its address with it). Missing pieces are not errors.
     */
    public Changes tearDown(SecondaryEni eni) {
        String what = "ENI " + eni.eniId() + " (table " + eni.routeTable() + ")";
        Changes.Recorder changes = new Changes.Recorder();
        for (Rule r : netlink.rules()) {
            if (isEniRule(r, eni)) {
                deleteQuietly(() -> netlink.deleteRule(r), "deleted rule " + r, changes);
            }
        }
        for (Route r : netlink.routes(eni.routeTable())) {
            deleteQuietly(() -> netlink.deleteRoute(r), "deleted route " + r, changes);
        }
        netlink.linkByMac(eni.mac()).ifPresent(link -> {
            Addr addr = new Addr(eni.primaryIp(), eni.subnet().length());
            if (netlink.addresses(link.index()).contains(addr)) {
                deleteQuietly(() -> netlink.deleteAddress(link.index(), addr),
                        "deleted address " + addr + " from " + link.name(), changes);
            }
        });
        return done(what, changes);
    }

    private Link awaitLink(MacAddress mac, String what) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            Optional<Link> link = netlink.linkByMac(mac);
            if (link.isPresent()) {
                return link.get();
            }
            if (attempt >= linkRetry.attempts()) {
                throw new EniLinkNotFoundException("no link with MAC " + mac + " for " + what + " after "
                        + attempt + " attempts " + linkRetry.interval() + " apart");
            }
            LOG.log(Level.DEBUG, "no link with MAC {0} for {1} yet (attempt {2}/{3})", mac, what, attempt,
                    linkRetry.attempts());
            linkRetry.sleeper().sleep(linkRetry.interval());
        }
    }

    private void ensureMtu(Link link, String what, Changes.Recorder changes) {
        if (link.mtu() != mtu) {
            netlink.setMtu(link.index(), mtu);
            changes.add("set MTU of " + link.name() + " from " + link.mtu() + " to " + mtu + " for " + what);
        }
    }

    private void ensureAddress(EniLayout layout, Link link, Changes.Recorder changes) {
        Addr wanted = layout.address();
        List<Addr> current = netlink.addresses(link.index());
        // Stale addresses go first: removing a primary address can take secondaries of its subnet with it.
        for (Addr a : current) {
            if (!a.equals(wanted)) {
                deleteQuietly(() -> netlink.deleteAddress(link.index(), a),
                        "deleted stale address " + a + " from " + link.name(), changes);
            }
        }
        if (!current.contains(wanted)) {
            netlink.addAddress(link.index(), wanted);
            changes.add("added address " + wanted + " to " + link.name());
        }
    }

    private void ensureTableRoutes(EniLayout layout, Changes.Recorder changes) {
        int table = layout.eni().routeTable();
        List<Route> wanted = layout.tableRoutes();
        List<Route> current = netlink.routes(table);
        for (Route w : wanted) {
            if (current.stream().noneMatch(c -> EniLayout.sameRoute(c, w))) {
                netlink.replaceRoute(w);
                changes.add("set route " + w);
            }
        }
        // The table is ours alone: anything else in it is left from an earlier ENI at this device index.
        for (Route c : netlink.routes(table)) {
            if (wanted.stream().noneMatch(w -> EniLayout.sameRoute(c, w))) {
                deleteQuietly(() -> netlink.deleteRoute(c), "deleted stale route " + c, changes);
            }
        }
    }

    private void removeMainSubnetRoute(EniLayout layout, Link link, Changes.Recorder changes) {
        Route subnetRoute = layout.mainSubnetRoute();
        for (Route r : netlink.routes(Route.TABLE_MAIN)) {
            if (r.destination().equals(subnetRoute.destination()) && r.linkIndex() == link.index()) {
                deleteQuietly(() -> netlink.deleteRoute(r), "deleted main-table subnet route " + r, changes);
            }
        }
    }

    private void ensureRule(EniLayout layout, Changes.Recorder changes) {
        Rule wanted = layout.rule();
        boolean present = false;
        for (Rule r : netlink.rules()) {
            if (!isEniRule(r, layout.eni())) {
                continue;
            }
            if (Rules.same(r, wanted) && !present) {
                present = true;
            } else {
                deleteQuietly(() -> netlink.deleteRule(r), "deleted stale rule " + r, changes);
            }
        }
        if (!present) {
            netlink.addRule(wanted);
            changes.add("added rule " + wanted);
        }
    }

    /** A rule at our priority for this ENI's address or table: ours, current or left from an earlier ENI. */
    private static boolean isEniRule(Rule r, SecondaryEni eni) {
        return r.priority() == EniLayout.ENI_RULE_PRIORITY
                && (r.table() == eni.routeTable() || r.from().equals(Optional.of(IpPrefix.host(eni.primaryIp()))));
    }

    /** Deletion that finds the object already gone (a concurrent teardown, a vanished link) is done, not failed. */
    private static void deleteQuietly(Runnable delete, String action, Changes.Recorder changes) {
        try {
            delete.run();
            changes.add(action);
        } catch (NetlinkException.NoSuchObject gone) {
            LOG.log(Level.DEBUG, "{0}: already gone", action);
        }
    }

    private static Changes done(String what, Changes.Recorder recorder) {
        Changes changes = recorder.done();
        if (changes.isNoop()) {
            LOG.log(Level.DEBUG, "{0}: host network already as wanted", what);
        } else {
            LOG.log(Level.INFO, "{0}: {1}", what, String.join("; ", changes.actions()));
        }
        return changes;
    }
}
