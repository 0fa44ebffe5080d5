package io.vpccni.ipamd.introspect;

import static io.vpccni.ipamd.metrics.MetricFamily.Type.COUNTER;
import static io.vpccni.ipamd.metrics.MetricFamily.Type.GAUGE;
import static io.vpccni.ipamd.metrics.MetricFamily.Type.SUMMARY;
import static io.vpccni.ipamd.metrics.MetricFamily.label;

import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.guard.LatencyHistogram;
import io.vpccni.ipamd.datastore.CidrStats;
import io.vpccni.ipamd.datastore.EniStats;
import io.vpccni.ipamd.datastore.PoolStats;
import io.vpccni.ipamd.metrics.Exposition;
import io.vpccni.ipamd.metrics.MetricFamily;
import io.vpccni.ipamd.metrics.MetricFamily.HistogramSeries;
import io.vpccni.ipamd.metrics.MetricFamily.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The daemon's Prometheus metrics, computed from a {@link NodeView} at scrape time: nothing is stored here, so the
 * numbers cannot drift from the pool they describe.
 *
 * <p>Names, types and labels are aws-vpc-cni's ({@code utils/prometheusmetrics}), so dashboards keep working:
 * awscni_eni_allocated, awscni_eni_max, awscni_ip_max, awscni_total_ip_addresses, awscni_assigned_ip_addresses,
 * awscni_total_ipv4_prefixes, awscni_assigned_ip_per_eni{eni}, awscni_assigned_ip_per_cidr{cidr} (gauges);
 * awscni_add_ip_req_count, awscni_del_ip_req_count{reason}, awscni_no_available_ip_addresses,
 * awscni_ipamd_error_count{fn}, awscni_aws_api_error_count{api,error}, awscni_ec2api_req_count{fn},
 * awscni_ec2api_error_count{fn} (counters); awscni_aws_api_latency_ms (summary). Our own, marked "(ours)" in
 * their help: awscni_cooldown_ip_addresses, awscni_available_ip_addresses, awscni_unused_ipv4_prefixes,
 * awscni_subnet_free_ip_addresses, awscni_ipamd_ready, awscni_plugin_server_invocations, and in prefix mode
 * awscni_prefix_fallback_active and awscni_prefix_fallback_ip_addresses. Histograms, ours and named so as not to
 * pass for aws-vpc-cni's ({@code vpccni_} prefix, seconds): vpccni_ipam_request_duration_seconds{operation} (add,
 * del, gc, as the handler served them) and vpccni_ec2_request_duration_seconds{api} (taken where
 * awscni_aws_api_latency_ms is, in {@link Ec2CallStats}).
 *
 * <p>Two differences, both forced by the data we keep: awscni_aws_api_latency_ms carries only the {@code api}
 * label (upstream also has {@code error} and {@code status}; {@link Ec2CallStats} sums latency per API, not per
 * outcome), and awscni_del_ip_req_count always has {@code reason="PodDeleted"}, the only reason our plugin sends.
 */
public final class IpamMetrics {

    private final NodeView view;

    public IpamMetrics(NodeView view) {
        this.view = view;
    }

    public String render() {
        return Exposition.render(collect());
    }

    public List<MetricFamily> collect() {
        PoolStats pool = view.poolStats();
        NodeCapacity capacity = NodeCapacity.of(view);
        NodeView.RequestStats requests = view.requests();
        List<MetricFamily> out = new ArrayList<>();
        out.add(gauge("awscni_eni_allocated", "The number of ENIs allocated", pool.enis().size()));
        out.add(gauge("awscni_eni_max",
                "The maximum number of ENIs that can be attached to the instance, accounting for unmanaged ENIs",
                capacity.maxEnis()));
        out.add(gauge("awscni_ip_max", "The maximum number of IP addresses that can be allocated to the instance",
                capacity.maxAddresses()));
        out.add(gauge("awscni_total_ip_addresses", "The total number of IP addresses", pool.total()));
        out.add(gauge("awscni_assigned_ip_addresses", "The number of IP addresses assigned to pods",
                pool.assigned()));
        out.add(gauge("awscni_cooldown_ip_addresses",
                "(ours) The number of released IP addresses still in cooldown, not assignable", pool.cooling()));
        out.add(gauge("awscni_available_ip_addresses",
                "(ours) The number of IP addresses assignable now: total - assigned - cooldown", pool.available()));
        out.add(gauge("awscni_total_ipv4_prefixes", "The total number of IPv4 prefixes", prefixes(pool)));
        out.add(gauge("awscni_unused_ipv4_prefixes",
                "(ours) The number of IPv4 prefixes with no assigned and no cooling address", pool.unusedPrefixes()));
        if (view.config().pool().prefixDelegation()) {
            out.add(gauge("awscni_prefix_fallback_active", "(ours) 1 while the pool grows with secondary IPs"
                    + " because EC2 had no free /28 prefix in the subnet (InsufficientCidrBlocks)",
                    view.prefixFallbackUntil().isPresent() ? 1 : 0));
            out.add(gauge("awscni_prefix_fallback_ip_addresses", "(ours) Secondary IPs the prefix fallback added that"
                    + " are still in the pool", pool.secondaryIps()));
        }
        out.add(perEni(pool));
        out.add(perCidr(pool));
        view.subnetFreeAddresses().ifPresent(free -> out.add(gauge("awscni_subnet_free_ip_addresses",
                "(ours) Free addresses EC2 last reported in the subnet new ENIs are created in", free)));
        out.add(gauge("awscni_ipamd_ready", "(ours) 1 once the pool has been restored and ipamd serves the plugin",
                view.ready() ? 1 : 0));
        view.pluginServerInvocations().ifPresent(n -> out.add(MetricFamily.single("awscni_plugin_server_invocations",
                "(ours) CNI invocations the plugin server ran inside ipamd since start", COUNTER, n)));
        out.add(MetricFamily.single("awscni_add_ip_req_count", "The number of add IP address requests", COUNTER,
                requests.adds()));
        out.add(new MetricFamily("awscni_del_ip_req_count", "The number of delete IP address requests", COUNTER,
                List.of(new Sample("", List.of(label("reason", "PodDeleted")), requests.dels()))));
        out.add(MetricFamily.single("awscni_no_available_ip_addresses",
                "The number of pod IP assignments that fail due to no available IP addresses", COUNTER,
                requests.noAvailableAddress()));
        out.add(labelled("awscni_ipamd_error_count", "The number of errors encountered in ipamd", "fn",
                view.ipamdErrors()));
        out.add(histogram("vpccni_ipam_request_duration_seconds", "(ours) Seconds ipamd took to answer the plugin's"
                + " requests, from the request decoded to the reply, by operation", "operation",
                view.requestDurations()));
        out.addAll(ec2(view.ec2Calls()));
        view.networkPolicy().ifPresent(policy -> out.addAll(networkPolicy(policy)));
        return out;
    }

    private static List<MetricFamily> ec2(Ec2CallStats stats) {
        Map<String, Long> calls = stats.calls();
        Map<String, Long> errorsByCode = stats.errors();
        Map<String, Long> errorsByApi = new TreeMap<>();
        List<Sample> byCode = new ArrayList<>();
        errorsByCode.forEach((key, count) -> {
            // Ec2CallStats keys errors "Operation/ErrorCode"; operation names never contain a slash.
            int slash = key.indexOf('/');
            String api = slash < 0 ? key : key.substring(0, slash);
            String code = slash < 0 ? "" : key.substring(slash + 1);
            byCode.add(new Sample("", List.of(label("api", api), label("error", code)), count));
            errorsByApi.merge(api, count, Long::sum);
        });
        List<Sample> latency = new ArrayList<>();
        stats.latencyMillisTotal().forEach((api, millis) -> {
            latency.add(new Sample("_sum", List.of(label("api", api)), millis));
            latency.add(new Sample("_count", List.of(label("api", api)), calls.getOrDefault(api, 0L)));
        });
        return List.of(
                new MetricFamily("awscni_aws_api_latency_ms", "AWS API call latency in ms", SUMMARY, latency),
                new MetricFamily("awscni_aws_api_error_count", "The number of times AWS API returns an error",
                        COUNTER, byCode),
                labelled("awscni_ec2api_req_count", "The number of requests made to EC2 APIs by CNI", "fn", calls),
                labelled("awscni_ec2api_error_count", "The number of failed EC2 APIs requests", "fn", errorsByApi),
                histogram("vpccni_ec2_request_duration_seconds", "(ours) EC2 API call latency in seconds, by API;"
                        + " each attempt of a retried call counts once", "api", stats.latencyHistograms()));
    }

    /** With ENABLE_NETWORK_POLICY: what the node enforces, and what policy dropped (nft's named counters). */
    private static List<MetricFamily> networkPolicy(NetworkPolicyStatus policy) {
        List<MetricFamily> out = new ArrayList<>();
        out.add(gauge("awscni_network_policy_policies", "(ours) NetworkPolicies with a PolicyEndpoint that selects a"
                + " pod of this node", policy.policies()));
        out.add(gauge("awscni_network_policy_endpoints", "(ours) PolicyEndpoints enforced on this node",
                policy.endpoints()));
        out.add(gauge("awscni_network_policy_pods", "(ours) Pods of this node isolated by network policy in some"
                + " direction", policy.pods()));
        out.add(gauge("awscni_network_policy_not_enforced", "(ours) PolicyEndpoints this node skipped (an event"
                + " names each)", policy.notEnforced().size()));
        policy.drops().ifPresent(d -> out.add(new MetricFamily("awscni_network_policy_dropped_packets",
                "(ours) Packets dropped by network policy since ipamd started", COUNTER, List.of(
                        new Sample("", List.of(label("direction", "ingress")), d.ingressPackets()),
                        new Sample("", List.of(label("direction", "egress")), d.egressPackets())))));
        return out;
    }

    private static MetricFamily perEni(PoolStats pool) {
        List<Sample> samples = pool.enis().stream()
                .map(e -> new Sample("", List.of(label("eni", e.eni().eniId())), e.assigned()))
                .toList();
        return new MetricFamily("awscni_assigned_ip_per_eni", "The number of allocated ips partitioned by eni", GAUGE,
                samples);
    }

    private static MetricFamily perCidr(PoolStats pool) {
        List<Sample> samples = pool.enis().stream()
                .flatMap(e -> e.cidrs().stream())
                .map(c -> new Sample("", List.of(label("cidr", c.cidr().toString())), c.assigned()))
                .toList();
        return new MetricFamily("awscni_assigned_ip_per_cidr", "The total number of IP addresses assigned per cidr",
                GAUGE, samples);
    }

    private static int prefixes(PoolStats pool) {
        return (int) pool.enis().stream().map(EniStats::cidrs).flatMap(List::stream).filter(CidrStats::isPrefix)
                .count();
    }

    private static MetricFamily gauge(String name, String help, double value) {
        return MetricFamily.single(name, help, GAUGE, value);
    }

    private static MetricFamily histogram(String name, String help, String labelName,
                                          Map<String, LatencyHistogram.Snapshot> byLabel) {
        List<HistogramSeries> series = new TreeMap<>(byLabel).entrySet().stream()
                .map(e -> new HistogramSeries(List.of(label(labelName, e.getKey())), e.getValue().upperBoundsSeconds(),
                        e.getValue().cumulativeCounts(), e.getValue().sumSeconds(), e.getValue().count()))
                .toList();
        return MetricFamily.histogram(name, help, series);
    }

    private static MetricFamily labelled(String name, String help, String labelName, Map<String, Long> values) {
        List<Sample> samples = new TreeMap<>(values).entrySet().stream()
                .map(e -> new Sample("", List.of(label(labelName, e.getKey())), e.getValue()))
                .toList();
        return new MetricFamily(name, help, COUNTER, samples);
    }
}
