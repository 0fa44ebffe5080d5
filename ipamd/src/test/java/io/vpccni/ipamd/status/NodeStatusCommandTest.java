package io.vpccni.ipamd.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.ipamd.introspect.FakeNodeView;
import io.vpccni.ipamd.introspect.IntrospectionServer;
import io.vpccni.ipamd.introspect.IntrospectionServer.Listeners;
import io.vpccni.ipamd.introspect.IntrospectionServer.Role;
import io.vpccni.ipamd.pool.GrowBlocked;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The status command against a live {@link IntrospectionServer} on an ephemeral port. */
class NodeStatusCommandTest {

    private static final InetSocketAddress EPHEMERAL = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final FakeNodeView node = FakeNodeView.standard();
    private IntrospectionServer server;
    private String endpoint;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private int exit;

    @BeforeEach
    void start() throws Exception {
        server = IntrospectionServer.start(node, node.clock, new Listeners(Optional.of(EPHEMERAL),
                Optional.of(EPHEMERAL)));
        endpoint = "http://127.0.0.1:" + server.address(Role.INTROSPECTION).orElseThrow().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String status(String... args) {
        return status(Map.of(), List.of(args));
    }

    private String status(Map<String, String> env, List<String> args) {
        List<String> all = new java.util.ArrayList<>(args);
        if (!env.containsKey("INTROSPECTION_BIND_ADDRESS") && args.stream().noneMatch(a -> a.startsWith("--end"))) {
            all.addAll(List.of("--endpoint", endpoint));
        }
        exit = NodeStatusCommand.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return out.toString(StandardCharsets.UTF_8);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aHealthyNodePrintsItsNumbersAndExitsZero() {
        String text = status();

        assertThat(exit).isZero();
        assertThat(text).contains("ipamd on i-0123456789 (m5.large): READY")
                .contains("19 total, 2 assigned, 1 cooling, 16 available")
                .contains("2 of 3 used")
                .contains("4000 free addresses")
                .contains("no warnings");
        assertThat(text.lines().filter(l -> l.startsWith("eni-0aaa (primary)")).findFirst().orElseThrow())
                .contains("0", "subnet-0 10.0.0.0/24", "10.0.0.10", "2/3");
        assertThat(text.lines().filter(l -> l.startsWith("eni-0bbb")).findFirst().orElseThrow())
                .contains("10.0.0.20", "0/16").endsWith("1");
    }

    @Test
    void thePluginLineSaysHowManyInvocationsRanInIpamdOrThatItsServerIsOff() {
        assertThat(status()).contains("plugin:  ").contains("; plugin server off");

        node.pluginInvocations = java.util.OptionalLong.of(7);

        assertThat(status()).contains("; 7 CNI invocations run in ipamd");
    }

    @Test
    void thePolicyLineSaysWhatNetworkPolicyEnforcesOnTheNode() {
        assertThat(status()).contains("policy:  network policy off");

        node.networkPolicy = Optional.of(new io.vpccni.ipamd.introspect.NetworkPolicyStatus("standard", false, 0, 0,
                0, List.of(), Optional.empty(), Optional.empty()));
        assertThat(status()).contains("policy:  standard mode, waiting for the PolicyEndpoint list");

        node.networkPolicy = Optional.of(new io.vpccni.ipamd.introspect.NetworkPolicyStatus("strict", true, 3, 4, 5,
                List.of("shop/bad: spec.ingress[0].cidr: x is not an IPv4 CIDR"),
                Optional.of(new io.vpccni.ipamd.introspect.NetworkPolicyStatus.Drops(12, 7)), Optional.empty()));
        assertThat(status()).contains("policy:  strict mode, 3 policies, 4 PolicyEndpoints, 5 pods enforced, 1"
                + " PolicyEndpoints not enforced; dropped 12 in, 7 out");
    }

    @Test
    void aPrefixFallbackIsAStatusLineAndAWarningWhileItLasts() {
        assertThat(status()).doesNotContain("fallback");

        node.prefixDelegation();
        node.fallbackUntil = Optional.of(FakeNodeView.START.plusSeconds(90));
        String active = status();

        assertThat(exit).isEqualTo(1);
        assertThat(active).contains("fallback: prefix fallback active: no free /28 in the subnet"
                + " (InsufficientCidrBlocks), growing with secondary IPs until 2025-06-01T12:01:30Z;"
                + " 3 secondary IPs in the pool")
                .contains("prefix fallback: the subnet has no free /28 prefix (InsufficientCidrBlocks); pods get"
                        + " secondary IPs, 3 so far");

        node.fallbackUntil = Optional.empty();
        out.reset();
        String over = status();

        assertThat(exit).isZero();
        assertThat(over).contains("fallback: 3 secondary IPs left by an earlier prefix fallback").contains("no warnings");
    }

    @Test
    void anEmptyPoolIsAWarning() {
        for (int i = 0; i < 16; i++) {
            node.assign("fill-" + i, "fill-" + i);
        }

        String text = status();

        assertThat(exit).isEqualTo(1);
        assertThat(text).contains("WARNINGS").contains("pool empty: no address available (19 total, 18 assigned, "
                + "1 cooling)");
    }

    @Test
    void aSubnetBelowTwiceTheWarmTargetIsLow() {
        node.subnetFree = OptionalInt.of(18);
        assertThat(status()).contains("no warnings");

        node.subnetFree = OptionalInt.of(17);
        String text = status();

        assertThat(exit).isEqualTo(1);
        assertThat(text).contains("subnet low: 17 free addresses left in the subnet (below 18");
    }

    @Test
    void aSubnetWithFewerThanSixteenFreeIsLowEvenWithoutWarmTarget() {
        node.config = io.vpccni.ipamd.config.IpamdConfig.fromEnvironment(Map.of("WARM_ENI_TARGET", "0"));
        node.subnetFree = OptionalInt.of(15);

        assertThat(status()).contains("subnet low: 15 free addresses");
    }

    @Test
    void aThrottledGrowIsAWarningButOldThrottlesOnlyANote() {
        node.ec2.called("AssignPrivateIpAddresses", Duration.ofMillis(10), Optional.of(
                new Ec2Failure.Throttled("AssignPrivateIpAddresses", "RequestLimitExceeded", "slow down", null)));
        assertThat(status()).contains("1 throttled").contains("no warnings");

        node.growFailure = Optional.of(new GrowBlocked(GrowBlocked.Kind.THROTTLED,
                "AssignPrivateIpAddresses: slow down (RequestLimitExceeded)", FakeNodeView.START));
        String text = status();

        assertThat(exit).isEqualTo(1);
        assertThat(text).contains("throttled: EC2 is throttling ipamd: AssignPrivateIpAddresses: slow down");
    }

    @Test
    void aMissingPermissionIsAWarning() {
        node.ec2.called("CreateNetworkInterface", Duration.ofMillis(10), Optional.of(
                new Ec2Failure.PermissionDenied("CreateNetworkInterface", "UnauthorizedOperation", "no", null)));

        String text = status();

        assertThat(exit).isEqualTo(1);
        assertThat(text).contains("permission denied: 1 EC2 requests were denied since ipamd started");

        node.growFailure = Optional.of(new GrowBlocked(GrowBlocked.Kind.PERMISSION_DENIED,
                "CreateNetworkInterface: no (UnauthorizedOperation)", FakeNodeView.START));
        assertThat(status()).contains("permission denied: the node's IAM role lacks a permission");
    }

    @Test
    void reachingTheEniLimitIsAWarning() {
        node.eni("eni-0ccc", 2, "10.0.0.0/24", "10.0.0.30", "10.0.0.50/32");

        String text = status();

        assertThat(exit).isEqualTo(1);
        assertThat(text).contains("eni limit: 3 of 3 ENIs in use; the pool cannot grow past 27 addresses");
    }

    @Test
    void aNodeNotReadyExitsOneWithTheReason() {
        node.ready = false;

        String text = status();

        assertThat(exit).isEqualTo(1);
        assertThat(text).contains("NOT READY").contains("not ready: the pool has not been restored");
    }

    @Test
    void jsonPrintsPoolAndEnisAsServed() throws Exception {
        String text = status("--json");

        JsonNode json = new ObjectMapper().readTree(text);
        assertThat(json.path("pool").path("addresses").path("total").asInt()).isEqualTo(19);
        assertThat(json.path("enis").path("enis")).hasSize(2);
        assertThat(exit).isZero();
    }

    @Test
    void theEndpointComesFromTheBindAddressWithWildcardMeaningLoopback() {
        int port = server.address(Role.INTROSPECTION).orElseThrow().getPort();

        String text = status(Map.of("INTROSPECTION_BIND_ADDRESS", ":" + port), List.of());

        assertThat(exit).isZero();
        assertThat(text).contains("READY");
        assertThat(NodeStatusCommand.fromEnvironment(Map.of())).isEqualTo("http://127.0.0.1:61679");
        assertThat(NodeStatusCommand.fromEnvironment(Map.of("INTROSPECTION_BIND_ADDRESS", "0.0.0.0:9")))
                .isEqualTo("http://127.0.0.1:9");
    }

    @Test
    void anUnreachableEndpointExitsTwoNamingIt() throws Exception {
        int closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = probe.getLocalPort();
        }

        status("--endpoint", "http://127.0.0.1:" + closed);

        assertThat(exit).isEqualTo(2);
        assertThat(errors()).contains("cannot reach ipamd at http://127.0.0.1:" + closed + "/v1/pool")
                .contains("--endpoint");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void theMetricsPortIsNotAnIntrospectionEndpoint() {
        int metrics = server.address(Role.METRICS).orElseThrow().getPort();

        status("--endpoint", "http://127.0.0.1:" + metrics);

        assertThat(exit).isEqualTo(2);
        assertThat(errors()).contains("answered HTTP 404");
    }

    @Test
    void aUnixBindAddressExitsTwoWithAHint() {
        status(Map.of("INTROSPECTION_BIND_ADDRESS", "unix:/run/ipamd.sock"), List.of());

        assertThat(exit).isEqualTo(2);
        assertThat(errors()).contains("Unix socket").contains("--endpoint");
    }

    @Test
    void anUnknownArgumentIsAUsageError() {
        status("--bogus");

        assertThat(exit).isEqualTo(64);
        assertThat(errors()).contains("unexpected argument '--bogus'").contains("usage: vpc-cni status");
    }
}
