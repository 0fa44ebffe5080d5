package io.vpccni.ipamd.datastore;

import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The node's address pool: ENIs, their CIDRs (/32 secondary IPs or /28 prefixes) and who holds which address.
 *
 * <p>Pure state: no I/O, no metrics, no environment. Time comes from the injected {@link Clock}; an address
 * released at t cannot be assigned again before t + cooldown and is not counted as available meanwhile.
 * Every public method takes one lock, so an address is never handed to two keys.
 *
 * <p>Address choice (see {@link AddressPicker}) packs pods: lowest device index first, fullest CIDR first,
 * lowest address. aws-vpc-cni walks Go maps, so its choice is effectively random; packing is deliberate,
 * because it leaves whole prefixes and whole spare ENIs unused, which is what lets the pool shrink.
 */
public final class Datastore {

    private final Object lock = new Object();
    private final Clock clock;
    private final Duration cooldown;
    private final Map<String, EniInfo> enis = new HashMap<>();
    /** Every CIDR by network address, for "which CIDR holds this IP" look-ups; CIDRs never overlap. */
    private final TreeMap<Ipv4Address, Owned> cidrs = new TreeMap<>();
    private final Map<AllocationKey, Allocation> byKey = new HashMap<>();
    private final Map<Ipv4Address, AllocationKey> byIp = new HashMap<>();
    /** Release time of addresses that may still be cooling; expired entries are dropped lazily. */
    private final Map<Ipv4Address, Instant> releasedAt = new HashMap<>();
    /** Runs after CIDRs or ENIs leave the pool, outside the lock; see {@link #whenAddressesLeave}. */
    private volatile Runnable addressesLeft = () -> {};

    record Owned(String eniId, Ipv4Cidr cidr) {}

    public Datastore(Clock clock, Duration cooldown) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cooldown = Objects.requireNonNull(cooldown, "cooldown");
        if (cooldown.isNegative()) {
            throw new IllegalArgumentException("cooldown must not be negative: " + cooldown);
        }
    }

    /**
     * Runs {@code hook} each time CIDRs or ENIs have left the pool, before the call that removed them returns and
     * outside the datastore's lock: the checkpoint, which records the pool, is written before the caller gives the
     * addresses back to EC2, so that a restarted daemon never serves one from the checkpoint that EC2 may already
     * have given to someone else.
     */
    public void whenAddressesLeave(Runnable hook) {
        this.addressesLeft = Objects.requireNonNull(hook, "hook");
    }

    /**
     * Adds an ENI or replaces what is known of it (its device, subnet and creation time, as a checkpoint recorded
     * them) by what EC2 says now, keeping its CIDRs and whoever holds their addresses.
     */
    public void putEni(EniInfo eni) {
        synchronized (lock) {
            enis.put(eni.eniId(), eni);
        }
    }

    /** The ENIs of the pool, by device index. */
    public List<EniInfo> enis() {
        synchronized (lock) {
            return sortedEnis();
        }
    }

    /** Adds an ENI; adding the same ENI again is a no-op, adding a different one under the same id is refused. */
    public void addEni(EniInfo eni) {
        synchronized (lock) {
            EniInfo known = enis.putIfAbsent(eni.eniId(), eni);
            if (known != null && !known.equals(eni)) {
                throw new IllegalStateException("ENI " + eni.eniId() + " is already known as " + known);
            }
        }
    }

    /**
     * Removes an ENI and its CIDRs. Refused while any of its addresses is assigned or cooling unless
     * {@code force} (the ENI is already gone in EC2); a forced removal drops those assignments and reports them.
     */
    public RemoveResult removeEni(String eniId, boolean force) {
        return thenTellLeft(removeEniLocked(eniId, force));
    }

    private RemoveResult removeEniLocked(String eniId, boolean force) {
        synchronized (lock) {
            if (!enis.containsKey(eniId)) {
                return new RemoveResult.NotFound("ENI " + eniId);
            }
            List<Ipv4Cidr> owned = cidrsOf(eniId);
            RemoveResult refused = refuseIfInUse(owned, force);
            if (refused != null) {
                return refused;
            }
            List<Allocation> dropped = new ArrayList<>();
            owned.forEach(cidr -> dropped.addAll(dropCidr(cidr)));
            enis.remove(eniId);
            return new RemoveResult.Removed(dropped);
        }
    }

    /**
     * Adds a /32 or /28 to an ENI. Returns false if that ENI already has it; refuses a CIDR that overlaps
     * another one, since one address must have exactly one owner.
     */
    /**
     * Adds EC2's CIDR unless another ENI's CIDR already covers an address of it: returns false then instead of
     * refusing, so the caller can log it and go on. EC2 never gives one address to two ENIs at once, but an
     * address unassigned from one ENI and assigned to another can show up on the second before a describe of the
     * first has caught up; a defence, not a workaround for the emulator (which no longer hands out duplicates).
     */
    public boolean addCidrIfFree(String eniId, Ipv4Cidr cidr) {
        synchronized (lock) {
            return overlapping(cidr).filter(o -> !(o.cidr().equals(cidr) && o.eniId().equals(eniId))).isEmpty()
                    && addCidr(eniId, cidr);
        }
    }

    public boolean addCidr(String eniId, Ipv4Cidr cidr) {
        if (cidr.prefixLength() != 32 && cidr.prefixLength() != 28) {
            throw new IllegalArgumentException("only /32 secondary IPs and /28 prefixes are pooled, got " + cidr);
        }
        synchronized (lock) {
            if (!enis.containsKey(eniId)) {
                throw new IllegalArgumentException("unknown ENI " + eniId);
            }
            Owned same = cidrs.get(cidr.network());
            if (same != null && same.cidr().equals(cidr) && same.eniId().equals(eniId)) {
                return false;
            }
            Optional<Owned> clash = overlapping(cidr);
            if (clash.isPresent()) {
                throw new IllegalArgumentException(cidr + " overlaps " + clash.get().cidr() + " on " + clash.get().eniId());
            }
            cidrs.put(cidr.network(), new Owned(eniId, cidr));
            return true;
        }
    }

    /** Removes a CIDR; same refusal rule as {@link #removeEni}. */
    public RemoveResult removeCidr(String eniId, Ipv4Cidr cidr, boolean force) {
        RemoveResult result;
        synchronized (lock) {
            Owned owned = cidrs.get(cidr.network());
            if (owned == null || !owned.cidr().equals(cidr) || !owned.eniId().equals(eniId)) {
                return new RemoveResult.NotFound(cidr + " on " + eniId);
            }
            RemoveResult refused = refuseIfInUse(List.of(cidr), force);
            result = refused != null ? refused : new RemoveResult.Removed(dropCidr(cidr));
        }
        return thenTellLeft(result);
    }

    private RemoveResult thenTellLeft(RemoveResult result) {
        if (result instanceof RemoveResult.Removed) {
            addressesLeft.run();
        }
        return result;
    }

    /** Gives {@code key} an address; a key that already holds one gets the same one back. */
    public AssignResult assign(AllocationKey key, PodRef pod) {
        synchronized (lock) {
            Allocation existing = byKey.get(key);
            if (existing != null) {
                EniInfo eni = enis.get(ownerOf(existing.ip()).orElseThrow().eniId());
                return new AssignResult.Assigned(existing.ip(), eni.eniId(), eni.deviceIndex(), true);
            }
            Instant now = clock.instant();
            Optional<Ipv4Address> picked = new AddressPicker(sortedEnis(), this::cidrsOf, a -> isFree(a, now)).pick();
            if (picked.isEmpty()) {
                return new AssignResult.NoFreeAddress(statsAt(now));
            }
            Ipv4Address ip = picked.get();
            releasedAt.remove(ip);
            Allocation allocation = new Allocation(key, pod, ip, now);
            byKey.put(key, allocation);
            byIp.put(ip, key);
            EniInfo eni = enis.get(ownerOf(ip).orElseThrow().eniId());
            return new AssignResult.Assigned(ip, eni.eniId(), eni.deviceIndex(), false);
        }
    }

    /** Releases the key's address into cooldown. An unknown key is {@link ReleaseResult.NotFound}, not an error. */
    public ReleaseResult release(AllocationKey key) {
        synchronized (lock) {
            Allocation allocation = byKey.remove(key);
            if (allocation == null) {
                return new ReleaseResult.NotFound(key);
            }
            byIp.remove(allocation.ip());
            if (!cooldown.isZero()) {
                releasedAt.put(allocation.ip(), clock.instant());
            }
            EniInfo eni = enis.get(ownerOf(allocation.ip()).orElseThrow().eniId());
            return new ReleaseResult.Released(allocation, eni.eniId(), eni.deviceIndex());
        }
    }

    public Optional<Allocation> find(AllocationKey key) {
        synchronized (lock) {
            return Optional.ofNullable(byKey.get(key));
        }
    }

    /** The ENI whose CIDRs hold the address, if any. */
    public Optional<EniInfo> locate(Ipv4Address ip) {
        synchronized (lock) {
            return ownerOf(ip).map(owned -> enis.get(owned.eniId()));
        }
    }

    /** All live assignments, by address. */
    public List<Allocation> allocations() {
        synchronized (lock) {
            return byKey.values().stream().sorted(Comparator.comparing(Allocation::ip)).toList();
        }
    }

    public PoolStats stats() {
        synchronized (lock) {
            return statsAt(clock.instant());
        }
    }

    /** Assignments and still-cooling addresses, for the checkpoint. */
    public DatastoreSnapshot snapshot() {
        synchronized (lock) {
            Instant now = clock.instant();
            expireCooldowns(now);
            List<CoolingAddress> cooling = releasedAt.entrySet().stream()
                    .map(e -> new CoolingAddress(e.getKey(), e.getValue()))
                    .sorted(Comparator.comparing(CoolingAddress::ip))
                    .toList();
            return new DatastoreSnapshot(allocations(), cooling);
        }
    }

    /**
     * Imports a checkpoint after the ENIs and CIDRs have been added. An allocation is restored only if its
     * address lies in a known CIDR and no other key holds it; the rest are reported, never half-applied.
     */
    public RestoreReport restore(DatastoreSnapshot snapshot) {
        synchronized (lock) {
            List<Allocation> restored = new ArrayList<>();
            List<Allocation> rejected = new ArrayList<>();
            for (Allocation allocation : snapshot.allocations()) {
                Allocation mine = byKey.get(allocation.key());
                AllocationKey holder = byIp.get(allocation.ip());
                boolean known = ownerOf(allocation.ip()).isPresent();
                if (mine != null && mine.ip().equals(allocation.ip())) {
                    restored.add(mine);
                } else if (!known || mine != null || holder != null) {
                    rejected.add(allocation);
                } else {
                    byKey.put(allocation.key(), allocation);
                    byIp.put(allocation.ip(), allocation.key());
                    releasedAt.remove(allocation.ip());
                    restored.add(allocation);
                }
            }
            Instant now = clock.instant();
            int coolingRestored = 0;
            for (CoolingAddress cooling : snapshot.cooling()) {
                boolean stillCooling = now.isBefore(cooling.releasedAt().plus(cooldown));
                if (stillCooling && ownerOf(cooling.ip()).isPresent() && !byIp.containsKey(cooling.ip())) {
                    releasedAt.merge(cooling.ip(), cooling.releasedAt(), (a, b) -> a.isAfter(b) ? a : b);
                    coolingRestored++;
                }
            }
            return new RestoreReport(restored, rejected, coolingRestored);
        }
    }

    // --- internals; callers hold the lock ---

    private PoolStats statsAt(Instant now) {
        expireCooldowns(now);
        Map<Ipv4Cidr, int[]> usage = new HashMap<>();
        byIp.keySet().forEach(ip -> usage.computeIfAbsent(ownerOf(ip).orElseThrow().cidr(), c -> new int[2])[0]++);
        releasedAt.keySet().forEach(ip -> ownerOf(ip)
                .ifPresent(o -> usage.computeIfAbsent(o.cidr(), c -> new int[2])[1]++));
        List<EniStats> result = new ArrayList<>();
        for (EniInfo eni : sortedEnis()) {
            List<CidrStats> perCidr = cidrsOf(eni.eniId()).stream()
                    .map(c -> {
                        int[] u = usage.getOrDefault(c, new int[2]);
                        return new CidrStats(c, u[0], u[1]);
                    })
                    .toList();
            result.add(new EniStats(eni, perCidr));
        }
        return new PoolStats(result);
    }

    private boolean isFree(Ipv4Address ip, Instant now) {
        if (byIp.containsKey(ip)) {
            return false;
        }
        Instant released = releasedAt.get(ip);
        return released == null || !now.isBefore(released.plus(cooldown));
    }

    private void expireCooldowns(Instant now) {
        releasedAt.values().removeIf(released -> !now.isBefore(released.plus(cooldown)));
    }

    private RemoveResult refuseIfInUse(List<Ipv4Cidr> blocks, boolean force) {
        Instant now = clock.instant();
        expireCooldowns(now);
        int assigned = (int) byIp.keySet().stream().filter(ip -> blocks.stream().anyMatch(b -> b.contains(ip))).count();
        int cooling = (int) releasedAt.keySet().stream().filter(ip -> blocks.stream().anyMatch(b -> b.contains(ip))).count();
        return (assigned > 0 || cooling > 0) && !force ? new RemoveResult.InUse(assigned, cooling) : null;
    }

    private List<Allocation> dropCidr(Ipv4Cidr cidr) {
        List<Allocation> dropped = byKey.values().stream().filter(a -> cidr.contains(a.ip())).toList();
        dropped.forEach(a -> {
            byKey.remove(a.key());
            byIp.remove(a.ip());
        });
        releasedAt.keySet().removeIf(cidr::contains);
        cidrs.remove(cidr.network());
        return dropped;
    }

    private Optional<Owned> ownerOf(Ipv4Address ip) {
        Map.Entry<Ipv4Address, Owned> floor = cidrs.floorEntry(ip);
        return floor != null && floor.getValue().cidr().contains(ip) ? Optional.of(floor.getValue()) : Optional.empty();
    }

    private Optional<Owned> overlapping(Ipv4Cidr cidr) {
        Optional<Owned> below = ownerOf(cidr.network());
        if (below.isPresent()) {
            return below;
        }
        Ipv4Address last = cidr.address(cidr.size() - 1);
        return cidrs.subMap(cidr.network(), true, last, true).values().stream().findFirst();
    }

    private List<Ipv4Cidr> cidrsOf(String eniId) {
        return cidrs.values().stream().filter(o -> o.eniId().equals(eniId)).map(Owned::cidr).toList();
    }

    private List<EniInfo> sortedEnis() {
        return enis.values().stream()
                .sorted(Comparator.comparingInt(EniInfo::deviceIndex).thenComparing(EniInfo::eniId))
                .toList();
    }
}
