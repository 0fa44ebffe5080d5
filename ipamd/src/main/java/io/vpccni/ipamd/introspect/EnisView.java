package io.vpccni.ipamd.introspect;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.datastore.CidrStats;
import io.vpccni.ipamd.datastore.EniInfo;
import io.vpccni.ipamd.datastore.EniStats;
import io.vpccni.netlink.ip.Ipv4Address;
import io.vpccni.ipamd.pool.NodeEni;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * /v1/enis: every ENI of the node, device index order, with its CIDRs and each address's state: {@code assigned}
 * (with the pod and container holding it), {@code cooling} (released, not reusable yet) or {@code free}.
 * Unmanaged ENIs are listed with no CIDRs. See {@link IntrospectionServer} for the documented shape.
 */
public record EnisView(List<EniView> enis) {

    /** {@code subnetId}, {@code mac} and {@code unmanaged} come from EC2's view; null when EC2's view lacks the ENI. */
    public record EniView(String eniId, int deviceIndex, boolean primary, Boolean unmanaged, String subnetId,
                          String subnetCidr, String primaryIp, String mac, String createdAt, int total, int assigned,
                          int cooling, int available, List<CidrView> cidrs) {}

    public record CidrView(String cidr, boolean prefix, int total, int assigned, int cooling, int available,
                           List<AddressView> addresses) {}

    /** {@code holder} is present for an assigned address; {@code releasedAt} for a cooling one when known. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AddressView(String ip, String state, Holder holder, String releasedAt) {}

    public record Holder(String networkName, String containerId, String ifName, String podNamespace, String podName,
                         String podUid, String assignedAt) {}

    public static EnisView of(NodeView view) {
        Map<Ipv4Address, Allocation> byIp = view.allocations().stream()
                .collect(Collectors.toMap(Allocation::ip, Function.identity(), (a, b) -> a));
        Map<Ipv4Address, Instant> cooling = new HashMap<>();
        view.coolingAddresses().forEach(c -> cooling.put(c.ip(), c.releasedAt()));
        Map<String, NodeEni> ec2 = view.enis().stream()
                .collect(Collectors.toMap(NodeEni::id, Function.identity(), (a, b) -> a));
        List<EniView> out = new ArrayList<>();
        for (EniStats stats : view.poolStats().enis()) {
            out.add(pooled(stats, Optional.ofNullable(ec2.remove(stats.eni().eniId())), byIp, cooling));
        }
        ec2.values().forEach(eni -> out.add(notPooled(eni)));
        out.sort(Comparator.comparingInt(EniView::deviceIndex).thenComparing(EniView::eniId));
        return new EnisView(out);
    }

    private static EniView pooled(EniStats stats, Optional<NodeEni> ec2, Map<Ipv4Address, Allocation> byIp,
                                  Map<Ipv4Address, Instant> cooling) {
        EniInfo info = stats.eni();
        List<CidrView> cidrs = stats.cidrs().stream().map(c -> cidr(c, byIp, cooling)).toList();
        return new EniView(info.eniId(), info.deviceIndex(), info.primary(),
                ec2.map(e -> e.eni().isUnmanaged()).orElse(null), ec2.map(e -> e.eni().subnetId()).orElse(null),
                info.subnetCidr().toString(), info.primaryIp().toString(), ec2.map(e -> e.eni().mac()).orElse(null),
                info.createdAt().toString(), stats.total(), stats.assigned(), stats.cooling(), stats.available(), cidrs);
    }

    private static EniView notPooled(NodeEni eni) {
        return new EniView(eni.id(), eni.eni().deviceIndex(), eni.primary(), eni.eni().isUnmanaged(),
                eni.eni().subnetId(), eni.subnetCidr().toString(), eni.eni().primaryIp(), eni.eni().mac(),
                eni.createdAt().toString(), 0, 0, 0, 0, List.of());
    }

    private static CidrView cidr(CidrStats stats, Map<Ipv4Address, Allocation> byIp,
                                 Map<Ipv4Address, Instant> cooling) {
        List<AddressView> addresses = new ArrayList<>(stats.total());
        // The datastore reports cooling per CIDR; a /32 with a cooling count is that one address, even when the
        // view cannot list cooling addresses one by one.
        boolean wholeCidrCooling = stats.total() == 1 && stats.cooling() == 1;
        for (int i = 0; i < stats.total(); i++) {
            Ipv4Address ip = stats.cidr().address(i);
            Allocation held = byIp.get(ip);
            if (held != null) {
                addresses.add(new AddressView(ip.toString(), "assigned", holder(held), null));
            } else if (cooling.containsKey(ip) || wholeCidrCooling) {
                Instant releasedAt = cooling.get(ip);
                addresses.add(new AddressView(ip.toString(), "cooling", null,
                        releasedAt == null ? null : releasedAt.toString()));
            } else {
                addresses.add(new AddressView(ip.toString(), "free", null, null));
            }
        }
        return new CidrView(stats.cidr().toString(), stats.isPrefix(), stats.total(), stats.assigned(),
                stats.cooling(), stats.available(), addresses);
    }

    private static Holder holder(Allocation a) {
        return new Holder(a.key().networkName(), a.key().containerId(), a.key().ifName(), a.pod().namespace(),
                a.pod().name(), a.pod().uid(), a.assignedAt().toString());
    }
}
