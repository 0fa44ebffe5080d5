package io.vpccni.ipamd.warmpool;

import io.vpccni.ipamd.datastore.CidrStats;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.netlink.ip.Ipv4Cidr;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Hand-built pool states for direct policy tests. Addresses: ENI at device d uses 10.d.x.y. */
final class States {

    static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
    static final Instant OLD = NOW.minus(Duration.ofHours(1));

    private States() {}

    static PoolState state(NodeLimits limits, EniState... enis) {
        return new PoolState(NOW, List.of(enis), limits, Set.of(), Optional.empty(), Optional.empty());
    }

    static EniState eni(int device, EniRole role, List<CidrStats> cidrs) {
        return eni(device, role, OLD, cidrs);
    }

    static EniState eni(int device, EniRole role, Instant created, List<CidrStats> cidrs) {
        return new EniState("eni-" + device, device, role, created, relocate(device, cidrs));
    }

    /** {@code count} secondary IPs: the first {@code assigned} assigned, the next {@code cooling} cooling. */
    static List<CidrStats> ips(int count, int assigned, int cooling) {
        List<CidrStats> result = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Ipv4Cidr cidr = new Ipv4Cidr(Ipv4Address.parse("0.0.0.0").plus(16 + i), 32);
            result.add(new CidrStats(cidr, i < assigned ? 1 : 0, i >= assigned && i < assigned + cooling ? 1 : 0));
        }
        return result;
    }

    /** One /28 per argument, holding that many assigned addresses. */
    static List<CidrStats> prefixes(int... assignedPerPrefix) {
        List<CidrStats> result = new ArrayList<>();
        for (int i = 0; i < assignedPerPrefix.length; i++) {
            Ipv4Cidr cidr = new Ipv4Cidr(Ipv4Address.parse("0.0.1.0").plus(16 * i), 28);
            result.add(new CidrStats(cidr, assignedPerPrefix[i], 0));
        }
        return result;
    }

    static List<CidrStats> coolingPrefix(int cooling) {
        return List.of(new CidrStats(new Ipv4Cidr(Ipv4Address.parse("0.0.2.0"), 28), 0, cooling));
    }

    static List<CidrStats> concat(List<CidrStats> a, List<CidrStats> b) {
        List<CidrStats> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<CidrStats> relocate(int device, List<CidrStats> cidrs) {
        int base = Ipv4Address.parse("10." + device + ".0.0").bits();
        return cidrs.stream()
                .map(c -> new CidrStats(new Ipv4Cidr(new Ipv4Address(base + c.cidr().network().bits()), c.cidr().prefixLength()),
                        c.assigned(), c.cooling()))
                .toList();
    }
}
