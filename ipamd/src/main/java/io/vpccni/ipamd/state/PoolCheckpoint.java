package io.vpccni.ipamd.state;

import io.vpccni.ipamd.checkpoint.Checkpoint;
import io.vpccni.ipamd.checkpoint.CheckpointEntry;
import io.vpccni.ipamd.checkpoint.CheckpointStore;
import io.vpccni.ipamd.checkpoint.CheckpointWriter;
import io.vpccni.ipamd.checkpoint.CooldownEntry;
import io.vpccni.ipamd.checkpoint.PodMetadata;
import io.vpccni.ipamd.checkpoint.PooledEni;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.AllocationKey;
import io.vpccni.ipamd.datastore.CoolingAddress;
import io.vpccni.ipamd.datastore.Datastore;
import io.vpccni.ipamd.datastore.DatastoreSnapshot;
import io.vpccni.ipamd.datastore.EniInfo;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import io.vpccni.ipamd.datastore.PodRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The datastore's assignments, cooldowns and pool in the checkpoint file, in aws-vpc-cni's vpc-cni-ipam/1 format.
 * {@link #persist()} returns only once a write that includes every change made before the call is on disk.
 */
public final class PoolCheckpoint {

    private final Datastore datastore;
    private final CheckpointStore store;
    private final CheckpointWriter writer;

    public PoolCheckpoint(Datastore datastore, CheckpointStore store) {
        this.datastore = datastore;
        this.store = store;
        this.writer = new CheckpointWriter(store);
    }

    public void persist() {
        writer.persist(() -> toCheckpoint(datastore.snapshot(), datastore));
    }

    /** What the file holds, as a datastore snapshot; empty when there is no file yet. */
    public Optional<DatastoreSnapshot> read() {
        return readSaved().map(Saved::assignments);
    }

    /**
     * The assignments and cooldowns, and the pool's ENIs with their CIDRs when the file records them (ours does,
     * aws-node's does not: {@code pool} is empty then).
     */
    public record Saved(DatastoreSnapshot assignments, List<SavedEni> pool) {}

    /** One ENI of the saved pool and the CIDRs it held. */
    public record SavedEni(EniInfo eni, List<Ipv4Cidr> cidrs) {}

    /** What the file holds; empty when there is no file yet. */
    public Optional<Saved> readSaved() {
        return store.read().map(c -> new Saved(toSnapshot(c), c.enis().stream().map(PoolCheckpoint::toEni).toList()));
    }

    static Checkpoint toCheckpoint(DatastoreSnapshot snapshot, Datastore datastore) {
        List<CheckpointEntry> entries = new ArrayList<>();
        for (Allocation allocation : snapshot.allocations()) {
            var where = datastore.locate(allocation.ip());
            entries.add(new CheckpointEntry(allocation.key().networkName(), allocation.key().containerId(),
                    allocation.key().ifName(), Optional.of(allocation.ip().toString()), Optional.empty(),
                    nanos(allocation.assignedAt()),
                    new PodMetadata(allocation.pod().namespace(), allocation.pod().name(), 1),
                    Optional.of(allocation.pod().uid()), where.map(w -> w.eniId()),
                    where.map(w -> OptionalInt.of(w.deviceIndex())).orElse(OptionalInt.empty())));
        }
        List<CooldownEntry> cooldowns = snapshot.cooling().stream()
                .map(c -> CooldownEntry.ipv4(c.ip().toString(), nanos(c.releasedAt())))
                .toList();
        List<PooledEni> pool = datastore.stats().enis().stream()
                .map(e -> new PooledEni(e.eni().eniId(), e.eni().deviceIndex(), e.eni().primary(),
                        e.eni().subnetCidr().toString(), e.eni().primaryIp().toString(), nanos(e.eni().createdAt()),
                        e.cidrs().stream().map(c -> c.cidr().toString()).toList()))
                .toList();
        return new Checkpoint(Checkpoint.CURRENT_VERSION, entries, cooldowns, pool);
    }

    private static SavedEni toEni(PooledEni e) {
        return new SavedEni(new EniInfo(e.eniId(), e.deviceNumber(), e.primary(), Ipv4Cidr.parse(e.subnetCidr()),
                Ipv4Address.parse(e.primaryIp()), instant(e.createdAtNanos())),
                e.cidrs().stream().map(Ipv4Cidr::parse).toList());
    }

    static DatastoreSnapshot toSnapshot(Checkpoint checkpoint) {
        List<Allocation> allocations = checkpoint.allocations().stream()
                .filter(e -> e.ipv4().isPresent())
                .map(e -> new Allocation(new AllocationKey(e.networkName(), e.containerId(), e.ifName()),
                        new PodRef(e.metadata().k8sPodNamespace(), e.metadata().k8sPodName(), e.podUid().orElse("")),
                        Ipv4Address.parse(e.ipv4().get()), instant(e.allocationTimestampNanos())))
                .toList();
        List<CoolingAddress> cooling = checkpoint.cooldowns().stream()
                .filter(c -> c.ipv4().isPresent())
                .map(c -> new CoolingAddress(Ipv4Address.parse(c.ipv4().get()), instant(c.releasedAtNanos())))
                .toList();
        return new DatastoreSnapshot(allocations, cooling);
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
