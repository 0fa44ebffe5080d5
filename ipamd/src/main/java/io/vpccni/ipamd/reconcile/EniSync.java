package io.vpccni.ipamd.reconcile;

import io.vpccni.eni.model.Eni;
import io.vpccni.eni.model.EniMetadata;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.datastore.EniInfo;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import io.vpccni.ipamd.datastore.RemoveResult;
import io.vpccni.ipamd.pool.EniNetworking;
import io.vpccni.ipamd.pool.NodeEni;
import io.vpccni.ipamd.pool.NodeEnis;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Brings the node's ENI view and the datastore in line with EC2: at start (the datastore is empty) and
 * periodically (someone attached, detached or changed an ENI behind our back). EC2 is the truth for which ENIs
 * and addresses exist; instance metadata supplies each ENI's subnet CIDR, which EC2 does not put on the ENI.
 */
public final class EniSync {

    private static final System.Logger LOG = System.getLogger(EniSync.class.getName());

    /** What one sync changed, for logs and tests. */
    public record Changes(List<String> enisAdded, List<String> enisRemoved, int cidrsAdded, int cidrsRemoved,
                          int assignmentsLost) {
        public boolean none() {
            return enisAdded.isEmpty() && enisRemoved.isEmpty() && cidrsAdded == 0 && cidrsRemoved == 0;
        }
    }

    private final Datastore datastore;
    private final NodeEnis enis;
    private final EniNetworking networking;
    private final boolean primaryEniGivesPodAddresses;
    private final Clock clock;

    /** @param primaryEniGivesPodAddresses false with custom networking: pods get addresses from ENIConfig ENIs only */
    public EniSync(Datastore datastore, NodeEnis enis, EniNetworking networking,
                   boolean primaryEniGivesPodAddresses, Clock clock) {
        this.datastore = datastore;
        this.enis = enis;
        this.networking = networking;
        this.primaryEniGivesPodAddresses = primaryEniGivesPodAddresses;
        this.clock = clock;
    }

    public synchronized Changes sync(List<Eni> attached, List<EniMetadata> metadata) {
        Map<String, EniMetadata> byId = metadata.stream()
                .collect(Collectors.toMap(EniMetadata::interfaceId, Function.identity(), (a, b) -> a));
        List<String> added = new java.util.ArrayList<>();
        List<String> removed = new java.util.ArrayList<>();
        int[] cidrs = new int[3];
        Set<String> seen = new HashSet<>();
        enis.setUnmanaged(attached.stream().filter(Eni::isUnmanaged).map(Eni::deviceIndex)
                .collect(Collectors.toSet()));
        for (Eni eni : attached) {
            if (eni.isUnmanaged()) {
                continue;
            }
            seen.add(eni.id());
            Optional<NodeEni> known = enis.get(eni.id());
            NodeEni current;
            if (known.isEmpty()) {
                EniMetadata meta = byId.get(eni.id());
                if (meta == null) {
                    // Attached in EC2 but not yet visible to the instance: pick it up on a later sync.
                    LOG.log(Level.DEBUG, "{0} is attached but not in instance metadata yet", eni.id());
                    continue;
                }
                current = new NodeEni(eni, Ipv4Cidr.parse(meta.subnetIpv4CidrBlock()), eni.deviceIndex() == 0,
                        eni.createdAtTag().orElse(clock.instant()));
                enis.put(current);
                networking.attached(current);
                // put, not add: the datastore may know the ENI from the checkpoint, as it was; EC2's is what it is.
                datastore.putEni(new EniInfo(eni.id(), eni.deviceIndex(), current.primary(), current.subnetCidr(),
                        Ipv4Address.parse(eni.primaryIp()), current.createdAt()));
                added.add(eni.id());
                LOG.log(Level.INFO, "took over {0} at device index {1} with {2} secondary IPs and {3} prefixes",
                        eni.id(), eni.deviceIndex(), eni.secondaryIps().size(), eni.prefixes().size());
            } else {
                current = known.get().with(eni);
                enis.put(current);
            }
            if (current.primary() && !primaryEniGivesPodAddresses) {
                continue;
            }
            syncCidrs(eni, cidrs);
        }
        for (NodeEni gone : enis.all()) {
            if (!seen.contains(gone.id())) {
                if (datastore.removeEni(gone.id(), true) instanceof RemoveResult.Removed r) {
                    cidrs[2] += r.dropped().size();
                }
                networking.detaching(gone);
                enis.remove(gone.id());
                removed.add(gone.id());
                LOG.log(Level.WARNING, "{0} is no longer attached; dropped it from the pool", gone.id());
            }
        }
        for (EniInfo pooled : datastore.enis()) {
            if (!seen.contains(pooled.eniId()) && enis.get(pooled.eniId()).isEmpty()) {
                // Known from the checkpoint only, and not (or no longer) an ENI of this instance that ipamd manages.
                if (datastore.removeEni(pooled.eniId(), true) instanceof RemoveResult.Removed r) {
                    cidrs[2] += r.dropped().size();
                    r.dropped().forEach(a -> LOG.log(Level.WARNING, "{0} was on {1}, which the checkpoint recorded"
                            + " but EC2 no longer attaches to this node for ipamd; container {2} lost its address",
                            a.ip(), pooled.eniId(), a.key().containerId()));
                }
                removed.add(pooled.eniId());
            }
        }
        return new Changes(added, removed, cidrs[0], cidrs[1], cidrs[2]);
    }

    private void syncCidrs(Eni eni, int[] counts) {
        Set<Ipv4Cidr> wanted = new HashSet<>();
        eni.secondaryIps().forEach(ip -> wanted.add(Ipv4Cidr.single(Ipv4Address.parse(ip))));
        eni.prefixes().forEach(p -> wanted.add(Ipv4Cidr.parse(p)));
        Set<Ipv4Cidr> have = datastore.stats().enis().stream()
                .filter(s -> s.eni().eniId().equals(eni.id()))
                .flatMap(s -> s.cidrs().stream().map(c -> c.cidr()))
                .collect(Collectors.toSet());
        for (Ipv4Cidr cidr : wanted) {
            if (!have.contains(cidr)) {
                if (datastore.addCidrIfFree(eni.id(), cidr)) {
                    counts[0]++;
                } else {
                    LOG.log(Level.WARNING, "EC2 reports {0} on {1} but another ENI already holds it; not using it",
                            cidr, eni.id());
                }
            }
        }
        for (Ipv4Cidr cidr : have) {
            if (!wanted.contains(cidr)) {
                // EC2 no longer has it: whoever holds it has already lost it.
                if (datastore.removeCidr(eni.id(), cidr, true) instanceof RemoveResult.Removed r) {
                    counts[1]++;
                    counts[2] += r.dropped().size();
                    r.dropped().forEach(a -> LOG.log(Level.WARNING,
                            "{0} was removed from {1} outside ipamd; container {2} lost its address", a.ip(),
                            eni.id(), a.key().containerId()));
                }
            }
        }
    }
}
