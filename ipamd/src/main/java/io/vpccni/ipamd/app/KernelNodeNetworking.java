package io.vpccni.ipamd.app;

import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.netlink.ip.Ipv4Cidr;
import io.vpccni.ipamd.hostnet.AwsNodeNftTable;
import io.vpccni.ipamd.hostnet.Changes;
import io.vpccni.ipamd.hostnet.CommandRunner;
import io.vpccni.ipamd.hostnet.EniNetworkConfigurator;
import io.vpccni.ipamd.hostnet.LinkRetry;
import io.vpccni.ipamd.hostnet.NodeRuleSettings;
import io.vpccni.ipamd.hostnet.NodeRules;
import io.vpccni.ipamd.hostnet.NodeSysctls;
import io.vpccni.ipamd.hostnet.ProcSys;
import io.vpccni.ipamd.hostnet.SecondaryEni;
import io.vpccni.ipamd.hostnet.SnatReconciler;
import io.vpccni.ipamd.hostnet.SnatSettings;
import io.vpccni.ipamd.pool.NodeEni;
import io.vpccni.netlink.api.IpPrefix;
import io.vpccni.netlink.api.Link;
import io.vpccni.netlink.api.MacAddress;
import io.vpccni.netlink.api.Netlink;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link NodeNetworking} on the kernel of the namespace the netlink socket is bound to: ENI links and tables
 * through netlink, SNAT and connmark through iptables-restore, sysctls through /proc/sys.
 */
public final class KernelNodeNetworking implements NodeNetworking {

    private static final System.Logger LOG = System.getLogger(KernelNodeNetworking.class.getName());

    private final IpamdConfig config;
    private final Netlink netlink;
    private final EniNetworkConfigurator enis;
    private final SnatReconciler snat;
    private final ProcSys procSys;
    private final MetadataMacs macOfEni;
    private final AwsNodeNftTable awsNodeTable;
    private final AtomicBoolean awsNodeTableChecked = new AtomicBoolean();

    /**
     * @param macOfEni     the MAC of an ENI by id, as instance metadata reports it (the link is found by MAC)
     * @param awsNodeTable aws-node's nftables table, removed once our SNAT and connmark rules are in place
     */
    KernelNodeNetworking(IpamdConfig config, Netlink netlink, SnatReconciler snat, ProcSys procSys,
                                LinkRetry linkRetry, MetadataMacs macOfEni,
                                AwsNodeNftTable awsNodeTable) {
        this.config = config;
        this.netlink = netlink;
        this.enis = new EniNetworkConfigurator(netlink, config.eni().eniMtu(), linkRetry);
        this.snat = snat;
        this.procSys = procSys;
        this.macOfEni = macOfEni;
        this.awsNodeTable = awsNodeTable;
    }

    @Override
    public void setUpNode(InstanceIdentity identity, List<EniMetadata> metadata) {
        macOfEni.learn(metadata); // the secondary ENIs the sync then sets up need no walk of their own
        MacAddress primaryMac = MacAddress.parse(identity.primaryMac());
        Link primary = netlink.linkByMac(primaryMac).orElseThrow(() -> new IllegalStateException(
                "no link with the primary ENI's MAC " + identity.primaryMac()));
        try {
            log("primary ENI", enis.configurePrimary(primaryMac));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        var host = config.hostNetwork();
        log("node rules", NodeRules.reconcile(netlink, new NodeRuleSettings(host.externalSnat(), host.nodePortSupport(),
                host.connmark(), prefixes(host.externalServiceCidrs()))));
        List<IpPrefix> vpcCidrs = metadata.getFirst().vpcIpv4CidrBlocks().stream().map(IpPrefix::parse).toList();
        log("SNAT", snat.reconcile(new SnatSettings(vpcCidrs, prefixes(host.excludeSnatCidrs()),
                ipv4(identity.primaryIpv4()), primary.name(), host.randomizeSnat(), host.externalSnat(),
                host.nodePortSupport(), host.connmark(), host.vethPrefix())));
        // Only once our connmark rules exist: connections aws-node marked keep their replies routed right.
        // Once per start: only a node that ran aws-node before us has the table.
        if (awsNodeTableChecked.compareAndSet(false, true)) {
            try {
                log("aws-node leftovers", awsNodeTable.removeIfPresent());
            } catch (CommandRunner.CommandException e) {
                LOG.log(Level.WARNING, "could not remove aws-node''s nftables table ip aws-cni, if any: {0}",
                        e.getMessage());
            }
        }
        var report = NodeSysctls.apply(procSys, NodeSysctls.desired(
                new NodeSysctls.Settings(primary.name(), false)));
        report.failures().forEach(f -> LOG.log(Level.WARNING, "sysctl not set: {0}", f));
    }

    @Override
    public void attached(NodeEni eni) {
        if (eni.primary()) {
            return;
        }
        try {
            log(eni.id(), enis.setUp(secondary(eni)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void detaching(NodeEni eni) {
        if (!eni.primary()) {
            log(eni.id(), enis.tearDown(secondary(eni)));
        }
    }

    private SecondaryEni secondary(NodeEni eni) {
        return new SecondaryEni(eni.id(), macOfEni.apply(eni.id()), eni.eni().deviceIndex(),
                ipv4(eni.eni().primaryIp()), IpPrefix.parse(eni.subnetCidr().toString()));
    }

    private static List<IpPrefix> prefixes(List<Ipv4Cidr> cidrs) {
        return cidrs.stream().map(c -> IpPrefix.parse(c.toString())).toList();
    }

    private static Inet4Address ipv4(String literal) {
        try {
            return (Inet4Address) InetAddress.ofLiteral(literal);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IllegalArgumentException("not an IPv4 address: " + literal, e);
        }
    }

    private static void log(String what, Changes changes) {
        if (!changes.isNoop()) {
            LOG.log(Level.INFO, "{0}: {1}", what, changes.actions());
        }
    }
}
