package io.vpccni.ipamd.introspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.ipamd.checkpoint.JsonFileCheckpointStore;
import io.vpccni.ipamd.metrics.PromTextParser;
import io.vpccni.ipamd.rpc.IpamHandler;
import io.vpccni.ipamd.rpc.RequestCounters;
import io.vpccni.ipamd.state.PoolCheckpoint;
import io.vpccni.ipamd.testing.FakeNode;
import io.vpccni.ipamd.warmpool.PoolTargets;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.IpamRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpamMetricsTest {

    private final FakeNodeView node = FakeNodeView.standard();

    private Map<String, PromTextParser.Family> scrape() {
        return PromTextParser.parse(new IpamMetrics(node).render());
    }

    private double value(String family, Map<String, String> labels) {
        return scrape().get(family).samples().stream()
                .filter(s -> s.labels().equals(labels))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + family + labels))
                .value();
    }

    private double value(String family) {
        return value(family, Map.of());
    }

    @Test
    void everyLineFollowsTheExpositionGrammar() {
        node.ec2.called("AssignPrivateIpAddresses", Duration.ofMillis(80), Optional.empty());
        node.ipamdError("nodeIPPoolReconcile");

        Map<String, PromTextParser.Family> families = scrape();

        assertThat(families).isNotEmpty();
        families.values().forEach(f -> {
            Set<String> series = new HashSet<>();
            f.samples().forEach(s -> assertThat(series.add(s.name() + s.labels())).as("duplicate series").isTrue());
        });
    }

    @Test
    void poolGaugesCarryTheDatastoreNumbers() {
        // standard(): 3 /32s + one /28 = 19 addresses; web-1 and web-3 assigned, web-2 released into cooldown.
        assertThat(value("awscni_total_ip_addresses")).isEqualTo(19);
        assertThat(value("awscni_assigned_ip_addresses")).isEqualTo(2);
        assertThat(value("awscni_cooldown_ip_addresses")).isEqualTo(1);
        assertThat(value("awscni_available_ip_addresses")).isEqualTo(16);
        assertThat(value("awscni_eni_allocated")).isEqualTo(2);
        assertThat(value("awscni_total_ipv4_prefixes")).isEqualTo(1);
        assertThat(value("awscni_unused_ipv4_prefixes")).isEqualTo(1);
        assertThat(value("awscni_assigned_ip_per_eni", Map.of("eni", "eni-0aaa"))).isEqualTo(2);
        assertThat(value("awscni_assigned_ip_per_cidr", Map.of("cidr", "10.0.0.11/32"))).isEqualTo(1);
        assertThat(value("awscni_subnet_free_ip_addresses")).isEqualTo(4000);
        assertThat(value("awscni_ipamd_ready")).isEqualTo(1);
    }

    @Test
    void prefixFallbackGaugesAppearInPrefixMode() {
        assertThat(scrape()).doesNotContainKeys("awscni_prefix_fallback_active", "awscni_prefix_fallback_ip_addresses");

        node.prefixDelegation();
        assertThat(value("awscni_prefix_fallback_active")).isZero();
        assertThat(value("awscni_prefix_fallback_ip_addresses")).as("the standard node's three /32s").isEqualTo(3);

        node.fallbackUntil = Optional.of(FakeNodeView.START.plusSeconds(90));
        assertThat(value("awscni_prefix_fallback_active")).isEqualTo(1);
    }

    @Test
    void pluginServerInvocationsAreCountedOnlyWhereAPluginServerRuns() {
        assertThat(scrape()).doesNotContainKey("awscni_plugin_server_invocations");

        node.pluginInvocations = java.util.OptionalLong.of(42);

        assertThat(value("awscni_plugin_server_invocations")).isEqualTo(42);
    }

    @Test
    void cooldownEndsWhenTheClockPassesTheCooldownPeriod() {
        node.clock.advance(Duration.ofSeconds(31));

        assertThat(value("awscni_cooldown_ip_addresses")).isZero();
        assertThat(value("awscni_available_ip_addresses")).isEqualTo(17);
    }

    @Test
    void limitsFollowUpstreamFormulaAndLeaveOutUnmanagedEnis() {
        // m5.large: 3 ENIs, 10 IPv4 each, so 9 secondary addresses per ENI.
        assertThat(value("awscni_eni_max")).isEqualTo(3);
        assertThat(value("awscni_ip_max")).isEqualTo(27);

        node.unmanagedEni("eni-0ccc", 2);

        assertThat(value("awscni_eni_max")).isEqualTo(2);
        assertThat(value("awscni_ip_max")).isEqualTo(18);
    }

    @Test
    void requestCountersAreCountersWithUpstreamLabels() {
        node.requests = new NodeView.RequestStats(7, 4, 2);

        Map<String, PromTextParser.Family> families = scrape();

        assertThat(families.get("awscni_add_ip_req_count").type()).isEqualTo("counter");
        assertThat(value("awscni_add_ip_req_count")).isEqualTo(7);
        assertThat(value("awscni_del_ip_req_count", Map.of("reason", "PodDeleted"))).isEqualTo(4);
        assertThat(value("awscni_no_available_ip_addresses")).isEqualTo(2);
    }

    @Test
    void ec2CallsGiveLatencySummaryErrorsByCodeAndCallsByApi() {
        node.ec2.called("CreateNetworkInterface", Duration.ofMillis(300), Optional.empty());
        node.ec2.called("AssignPrivateIpAddresses", Duration.ofMillis(50), Optional.empty());
        node.ec2.called("AssignPrivateIpAddresses", Duration.ofMillis(70), Optional.of(
                new Ec2Failure.Throttled("AssignPrivateIpAddresses", "RequestLimitExceeded", "slow down", null)));

        Map<String, PromTextParser.Family> families = scrape();

        assertThat(families.get("awscni_aws_api_latency_ms").type()).isEqualTo("summary");
        assertThat(families.get("awscni_aws_api_latency_ms").samples())
                .contains(new PromTextParser.Sample("awscni_aws_api_latency_ms_sum",
                                Map.of("api", "AssignPrivateIpAddresses"), 120),
                        new PromTextParser.Sample("awscni_aws_api_latency_ms_count",
                                Map.of("api", "AssignPrivateIpAddresses"), 2));
        assertThat(value("awscni_aws_api_error_count",
                Map.of("api", "AssignPrivateIpAddresses", "error", "RequestLimitExceeded"))).isEqualTo(1);
        assertThat(value("awscni_ec2api_req_count", Map.of("fn", "AssignPrivateIpAddresses"))).isEqualTo(2);
        assertThat(value("awscni_ec2api_req_count", Map.of("fn", "CreateNetworkInterface"))).isEqualTo(1);
        assertThat(value("awscni_ec2api_error_count", Map.of("fn", "AssignPrivateIpAddresses"))).isEqualTo(1);
    }

    /** Beside aws-vpc-cni's summary, left as it was: the same calls in buckets of seconds, one series per API. */
    @Test
    void ec2CallsAlsoFillTheLatencyHistogramInSeconds() {
        node.ec2.called("AssignPrivateIpAddresses", Duration.ofMillis(30), Optional.empty());
        node.ec2.called("AssignPrivateIpAddresses", Duration.ofMillis(50), Optional.empty());
        node.ec2.called("AssignPrivateIpAddresses", Duration.ofMillis(80), Optional.empty());
        node.ec2.called("AssignPrivateIpAddresses", Duration.ofSeconds(45), Optional.empty());
        node.ec2.called("CreateNetworkInterface", Duration.ofMillis(3_500), Optional.empty());

        PromTextParser.Family family = scrape().get("vpccni_ec2_request_duration_seconds");
        var series = PromTextParser.histogram(family);

        assertThat(family.type()).isEqualTo("histogram");
        var assign = series.get(Map.of("api", "AssignPrivateIpAddresses"));
        // le is inclusive: 50 ms is in the 0.05 bucket; 45 s is above the last bound, in +Inf only.
        assertThat(assign.buckets()).containsEntry(0.05, 2.0).containsEntry(0.1, 3.0).containsEntry(30.0, 3.0)
                .containsEntry(Double.POSITIVE_INFINITY, 4.0);
        assertThat(assign.count()).isEqualTo(4);
        assertThat(assign.sum()).isCloseTo(45.16, offset(1e-9));
        var create = series.get(Map.of("api", "CreateNetworkInterface"));
        assertThat(create.buckets()).containsEntry(2.5, 0.0).containsEntry(5.0, 1.0);
        assertThat(create.sum()).isEqualTo(3.5);
        assertThat(scrape().get("awscni_aws_api_latency_ms").samples()).as("the summary, still in ms")
                .contains(new PromTextParser.Sample("awscni_aws_api_latency_ms_sum",
                        Map.of("api", "CreateNetworkInterface"), 3_500));
    }

    @Test
    void anAddServedByTheHandlerCountsInTheAddHistogram(@TempDir Path dir) {
        FakeNode ec2Node = new FakeNode("t3.small", "10.20.4.0/24", PoolTargets.warmEni(1));
        ec2Node.settle();
        RequestCounters counters = new RequestCounters() {
            @Override public void served(IpamRequest request, long nanos) { node.durations.record(request, nanos); }
            @Override public void addRequested() {}
            @Override public void delRequested() {}
            @Override public void noAvailableAddress() {}
        };
        IpamHandler handler = new IpamHandler(ec2Node.datastore, ec2Node.maintainer,
                new PoolCheckpoint(ec2Node.datastore, new JsonFileCheckpointStore(dir.resolve("ipam.json"))),
                () -> true, 9001, Duration.ofSeconds(5), counters);
        var before = PromTextParser.histogram(scrape().get("vpccni_ipam_request_duration_seconds"));
        assertThat(before.get(Map.of("operation", "add")).count()).isZero();

        assertThat(handler.apply(new AddRequest("aws-cni", "c1", "eth0", "/var/run/netns/c1", "default", "pod-c1",
                "uid-c1"))).isInstanceOf(AddOk.class);

        var after = PromTextParser.histogram(scrape().get("vpccni_ipam_request_duration_seconds"));
        assertThat(after.get(Map.of("operation", "add")).count()).isEqualTo(1);
        assertThat(after.get(Map.of("operation", "add")).sum()).isPositive();
        assertThat(after.get(Map.of("operation", "del")).count()).isZero();
        assertThat(after.keySet()).containsExactly(Map.of("operation", "add"), Map.of("operation", "del"),
                Map.of("operation", "gc"));
    }

    @Test
    void ipamdErrorsAreCountedByFunction() {
        node.ipamdError("poolMaintenance");
        node.ipamdError("poolMaintenance");

        assertThat(value("awscni_ipamd_error_count", Map.of("fn", "poolMaintenance"))).isEqualTo(2);
    }

    @Test
    void familiesWithoutDataStillDeclareTheirType() {
        Map<String, PromTextParser.Family> families = scrape();

        assertThat(families.get("awscni_aws_api_error_count").samples()).isEmpty();
        assertThat(families.get("awscni_aws_api_error_count").type()).isEqualTo("counter");
        assertThat(families.get("awscni_ipamd_error_count").samples()).isEmpty();
    }

    @Test
    void upstreamNamesArePresent() {
        assertThat(scrape()).containsKeys("awscni_eni_allocated", "awscni_eni_max", "awscni_ip_max",
                "awscni_total_ip_addresses", "awscni_assigned_ip_addresses", "awscni_add_ip_req_count",
                "awscni_del_ip_req_count", "awscni_no_available_ip_addresses", "awscni_aws_api_latency_ms",
                "awscni_aws_api_error_count", "awscni_ipamd_error_count", "awscni_total_ipv4_prefixes",
                "awscni_ec2api_req_count", "awscni_ec2api_error_count", "awscni_cooldown_ip_addresses");
    }

    @Test
    void networkPolicyFamiliesAppearOnlyWhenItIsOn() {
        assertThat(scrape()).doesNotContainKey("awscni_network_policy_endpoints");

        node.networkPolicy = Optional.of(new NetworkPolicyStatus("strict", true, 3, 4, 5,
                java.util.List.of("shop/bad: spec.ingress[0].cidr: x is not an IPv4 CIDR"),
                Optional.of(new NetworkPolicyStatus.Drops(12, 7)), Optional.empty()));

        assertThat(value("awscni_network_policy_policies")).isEqualTo(3);
        assertThat(value("awscni_network_policy_endpoints")).isEqualTo(4);
        assertThat(value("awscni_network_policy_pods")).isEqualTo(5);
        assertThat(value("awscni_network_policy_not_enforced")).isEqualTo(1);
        assertThat(value("awscni_network_policy_dropped_packets", Map.of("direction", "ingress"))).isEqualTo(12);
        assertThat(value("awscni_network_policy_dropped_packets", Map.of("direction", "egress"))).isEqualTo(7);
    }
}
