package io.vpccni.ipamd.hostnet;

import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.api.Route;
import io.vpccni.netlink.api.Rule;
import io.vpccni.netlink.error.NetlinkException;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * The node-wide rules of aws-vpc-cni's {@code SetupHostNetwork} and {@code UpdateExternalServiceIpRules}:
 * {@code fwmark <mark>/<mark> lookup main} at 1024, so NodePort replies (marked by the connmark rules) leave
 * through the primary ENI whatever pod table would match at 1536; and {@code to <cidr> lookup main} at 1535 per
 * external service CIDR. Upstream keeps the mark rule unless external SNAT is on without NodePort support.
 *
 * <p>Ours, for reconciling, are rules at those two priorities that look up main with the same shape (a mark and
 * no address at 1024; a destination and no source or mark at 1535). Anything else is someone else's.
 */
public final class NodeRules {
    public static final int HOST_RULE_PRIORITY = 1024;
    public static final int EXTERNAL_SERVICE_RULE_PRIORITY = 1535;

    private static final System.Logger LOG = System.getLogger(NodeRules.class.getName());

    private NodeRules() {}

    /** The rules the settings call for, in priority order. */
    public static List<Rule> desired(NodeRuleSettings s) {
        List<Rule> rules = new ArrayList<>();
        if (s.nodePortSupport() || !s.externalSnat()) {
            int mark = (int) s.connmark();
            rules.add(Rule.at(HOST_RULE_PRIORITY).withFwmark(mark, mark).withTable(Route.TABLE_MAIN));
        }
        for (IpPrefix cidr : s.externalServiceCidrs()) {
            rules.add(Rule.at(EXTERNAL_SERVICE_RULE_PRIORITY).withTo(cidr).withTable(Route.TABLE_MAIN));
        }
        return rules;
    }

    /** Whether a kernel rule is one this class manages (see the class comment). */
    static boolean isOurs(Rule r) {
        if (r.table() != Route.TABLE_MAIN || r.iif().isPresent() || r.oif().isPresent() || r.from().isPresent()) {
            return false;
        }
        return switch (r.priority()) {
            case HOST_RULE_PRIORITY -> r.fwmark() != 0 && r.to().isEmpty();
            case EXTERNAL_SERVICE_RULE_PRIORITY -> r.fwmark() == 0 && r.to().isPresent();
            default -> false;
        };
    }

    /** Adds what is missing and removes stale rules of ours; other rules are never touched. */
    public static Changes reconcile(Netlink netlink, NodeRuleSettings settings) {
        List<Rule> wanted = desired(settings);
        Changes.Recorder changes = new Changes.Recorder();
        List<Rule> kept = new ArrayList<>();
        for (Rule r : netlink.rules()) {
            if (!isOurs(r)) {
                continue;
            }
            boolean wantedAndFirst = wanted.stream().anyMatch(w -> Rules.same(w, r))
                    && kept.stream().noneMatch(k -> Rules.same(k, r));
            if (wantedAndFirst) {
                kept.add(r);
                continue;
            }
            try {
                netlink.deleteRule(r);
                changes.add("deleted stale node rule " + r);
            } catch (NetlinkException.NoSuchObject gone) {
                LOG.log(Level.DEBUG, "node rule {0} already gone", r);
            }
        }
        for (Rule w : wanted) {
            if (kept.stream().noneMatch(k -> Rules.same(k, w))) {
                netlink.addRule(w);
                changes.add("added node rule " + w);
            }
        }
        Changes done = changes.done();
        if (!done.isNoop()) {
            LOG.log(Level.INFO, "node rules: {0}", String.join("; ", done.actions()));
        }
        return done;
    }
}
