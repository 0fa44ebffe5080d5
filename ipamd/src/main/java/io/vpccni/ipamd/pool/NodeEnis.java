package io.vpccni.ipamd.pool;

import io.vpccni.ipamd.datastore.CidrStats;
import io.vpccni.ipamd.datastore.EniStats;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import io.vpccni.ipamd.datastore.PoolStats;
import io.vpccni.ipamd.warmpool.EniRole;
import io.vpccni.ipamd.warmpool.EniState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ENIs of this node that the pool manages, in EC2's terms, next to the datastore which holds their addresses.
 * Unmanaged ENIs (tagged no_manage) are kept only as used device indexes.
 */
public final class NodeEnis {

    private final Map<String, NodeEni> managed = new ConcurrentHashMap<>();
    private final Set<Integer> unmanagedDeviceIndexes = ConcurrentHashMap.newKeySet();

    public void put(NodeEni eni) {
        managed.put(eni.id(), eni);
    }

    public void remove(String eniId) {
        managed.remove(eniId);
    }

    public Optional<NodeEni> get(String eniId) {
        return Optional.ofNullable(managed.get(eniId));
    }

    public NodeEni require(String eniId) {
        NodeEni eni = managed.get(eniId);
        if (eni == null) {
            throw new IllegalStateException("ENI " + eniId + " is not one of this node's managed ENIs");
        }
        return eni;
    }

    public List<NodeEni> all() {
        return managed.values().stream().sorted(java.util.Comparator.comparingInt(e -> e.eni().deviceIndex()))
                .toList();
    }

    /**
     * The device indexes of attached ENIs that are not ours to change, as the latest look at EC2 saw them: replaced
     * whole, since such ENIs are attached and detached behind the daemon's back.
     */
    public void setUnmanaged(Set<Integer> deviceIndexes) {
        unmanagedDeviceIndexes.retainAll(deviceIndexes);
        unmanagedDeviceIndexes.addAll(deviceIndexes);
    }

    public int unmanagedCount() {
        return unmanagedDeviceIndexes.size();
    }

    public Set<Integer> usedDeviceIndexes() {
        Set<Integer> used = new HashSet<>(unmanagedDeviceIndexes);
        managed.values().forEach(eni -> used.add(eni.eni().deviceIndex()));
        return used;
    }

    /** The policy's view: datastore usage per ENI, with the role each ENI plays. */
    List<EniState> stateFor(PoolStats stats) {
        return stats.enis().stream().map(this::stateOf).toList();
    }

    /**
     * An address EC2 reports on the ENI but the datastore refused (it already belongs to another ENI, see
     * Datastore.addCidrIfFree) still takes one of the ENI's slots. It is shown to the policy as a taken /32, so the
     * policy does not keep asking for a slot the ENI does not have. The same goes for an address listed twice on
     * one ENI (the emulator did that before its fidelity layer; kept as a defence): each listing beyond the first
     * takes a slot.
     */
    private EniState stateOf(EniStats stats) {
        List<CidrStats> cidrs = new ArrayList<>(stats.cidrs());
        get(stats.eni().eniId()).ifPresent(eni -> {
            Set<Ipv4Cidr> unclaimed = new HashSet<>();
            stats.cidrs().forEach(c -> unclaimed.add(c.cidr()));
            for (String ip : eni.eni().secondaryIps()) {
                Ipv4Cidr single = Ipv4Cidr.single(Ipv4Address.parse(ip));
                if (!unclaimed.remove(single)) {
                    cidrs.add(new CidrStats(single, 1, 0));
                }
            }
            for (String prefix : eni.eni().prefixes()) {
                Ipv4Cidr cidr = Ipv4Cidr.parse(prefix);
                if (!unclaimed.remove(cidr)) {
                    cidrs.add(new CidrStats(cidr, cidr.size(), 0));
                }
            }
        });
        EniRole role = stats.eni().primary() ? EniRole.PRIMARY : EniRole.SECONDARY;
        return new EniState(stats.eni().eniId(), stats.eni().deviceIndex(), role, stats.eni().createdAt(), cidrs);
    }
}
