package io.vpccni.ipamd.introspect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpccni.ipamd.introspect.IntrospectionServer.Listeners;
import io.vpccni.ipamd.introspect.IntrospectionServer.Role;
import io.vpccni.ipamd.pool.GrowBlocked;
import io.vpccni.ipamd.warmpool.PoolAction;
import io.vpccni.ipamd.warmpool.PoolCounts;
import io.vpccni.ipamd.warmpool.PoolPlan;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IntrospectionServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final InetSocketAddress EPHEMERAL = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final FakeNodeView node = FakeNodeView.standard();
    private final HttpClient http = HttpClient.newHttpClient();
    private IntrospectionServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        http.close();
    }

    private IntrospectionServer start(Listeners listeners) throws IOException {
        server = IntrospectionServer.start(node, node.clock, listeners);
        return server;
    }

    private IntrospectionServer startBoth() throws IOException {
        return start(new Listeners(Optional.of(EPHEMERAL), Optional.of(EPHEMERAL)));
    }

    private HttpResponse<String> call(Role role, String method, String path) throws Exception {
        InetSocketAddress at = server.address(role).orElseThrow();
        URI uri = URI.create("http://127.0.0.1:" + at.getPort() + path);
        HttpRequest request = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = call(Role.INTROSPECTION, "GET", path);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.readTree(response.body());
    }

    @Test
    void poolReportsTotalsLimitsAndTargets() throws Exception {
        startBoth();

        JsonNode pool = getJson("/v1/pool");

        assertThat(pool.path("instanceId").asText()).isEqualTo("i-0123456789");
        assertThat(pool.path("now").asText()).isEqualTo("2025-06-01T12:00:00Z");
        assertThat(pool.path("readiness").path("ready").asBoolean()).isTrue();
        assertThat(pool.path("mode").asText()).isEqualTo("secondary-ip");
        assertThat(pool.path("addresses").toString())
                .isEqualTo("{\"total\":19,\"assigned\":2,\"cooling\":1,\"available\":16}");
        assertThat(pool.path("prefixes").toString()).isEqualTo("{\"total\":1,\"unused\":1}");
        assertThat(pool.path("enis").path("inPool").asInt()).isEqualTo(2);
        assertThat(pool.path("enis").path("max").asInt()).isEqualTo(3);
        assertThat(pool.path("enis").path("maxAddresses").asInt()).isEqualTo(27);
        assertThat(pool.path("targets").path("warmTargetAddresses").asInt()).isEqualTo(9);
        assertThat(pool.path("subnetFreeAddresses").asInt()).isEqualTo(4000);
        assertThat(pool.path("lastPlan").isNull()).isTrue();
        assertThat(pool.path("lastGrowFailure").isNull()).isTrue();
    }

    @Test
    void poolShowsThePrefixFallbackInPrefixModeOnly() throws Exception {
        startBoth();
        assertThat(getJson("/v1/pool").path("prefixFallback").isNull()).as("secondary-IP mode").isTrue();

        node.prefixDelegation();
        assertThat(getJson("/v1/pool").path("prefixFallback").toString())
                .isEqualTo("{\"active\":false,\"secondaryIps\":3,\"retryPrefixesAt\":null}");

        node.fallbackUntil = Optional.of(FakeNodeView.START.plusSeconds(90));
        assertThat(getJson("/v1/pool").path("prefixFallback").toString())
                .isEqualTo("{\"active\":true,\"secondaryIps\":3,\"retryPrefixesAt\":\"2025-06-01T12:01:30Z\"}");
    }

    @Test
    void poolShowsTheLastPlanAndGrowFailure() throws Exception {
        node.plan = Optional.of(new PoolPlan(List.of(new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 9),
                new PoolAction.FreeEni("eni-0old")), new PoolCounts(19, 2, 1, 1, 1)));
        node.growFailure = Optional.of(new GrowBlocked(GrowBlocked.Kind.SUBNET_FULL, "no free addresses",
                FakeNodeView.START));
        startBoth();

        JsonNode pool = getJson("/v1/pool");

        assertThat(pool.path("lastPlan").path("actions").toString()).isEqualTo(
                "[{\"type\":\"createEni\",\"count\":9,\"unit\":\"IP\"},{\"type\":\"freeEni\",\"eniId\":\"eni-0old\"}]");
        assertThat(pool.path("lastPlan").path("counts").path("available").asInt()).isEqualTo(16);
        assertThat(pool.path("lastGrowFailure").path("kind").asText()).isEqualTo("SUBNET_FULL");
        assertThat(pool.path("lastGrowFailure").path("at").asText()).isEqualTo("2025-06-01T12:00:00Z");
    }

    @Test
    void enisListEveryAddressWithItsHolderAndCoolingMarked() throws Exception {
        node.unmanagedEni("eni-0ccc", 2);
        startBoth();

        JsonNode enis = getJson("/v1/enis").path("enis");

        assertThat(enis).extracting(e -> e.path("eniId").asText()).containsExactly("eni-0aaa", "eni-0bbb", "eni-0ccc");
        JsonNode primary = enis.get(0);
        assertThat(primary.path("primary").asBoolean()).isTrue();
        assertThat(primary.path("subnetId").asText()).isEqualTo("subnet-0");
        assertThat(primary.path("assigned").asInt()).isEqualTo(2);
        JsonNode first = primary.path("cidrs").get(0).path("addresses").get(0);
        assertThat(first.path("ip").asText()).isEqualTo("10.0.0.11");
        assertThat(first.path("state").asText()).isEqualTo("assigned");
        assertThat(first.path("holder").path("podName").asText()).isEqualTo("web-1");
        assertThat(first.path("holder").path("containerId").asText()).isEqualTo("c1");
        JsonNode released = primary.path("cidrs").get(1).path("addresses").get(0);
        assertThat(released.path("state").asText()).isEqualTo("cooling");
        assertThat(released.path("releasedAt").asText()).isEqualTo("2025-06-01T12:00:00Z");
        assertThat(released.has("holder")).isFalse();
        JsonNode prefix = enis.get(1).path("cidrs").get(0);
        assertThat(prefix.path("prefix").asBoolean()).isTrue();
        assertThat(prefix.path("addresses")).hasSize(16).allMatch(a -> a.path("state").asText().equals("free"));
        assertThat(enis.get(2).path("unmanaged").asBoolean()).isTrue();
        assertThat(enis.get(2).path("cidrs")).isEmpty();
    }

    @Test
    void configListsEveryKeyWithTheValueInForce() throws Exception {
        startBoth();

        JsonNode settings = getJson("/v1/config").path("settings");

        assertThat(settings).hasSize(io.vpccni.ipamd.config.ConfigKeys.ALL.size());
        assertThat(settings).anySatisfy(s -> {
            assertThat(s.path("name").asText()).isEqualTo("IP_COOLDOWN_PERIOD");
            assertThat(s.path("value").asText()).isEqualTo("30");
            assertThat(s.path("defaultValue").asText()).isEqualTo("30");
        });
    }

    @Test
    void healthzAnswersWhileTheProcessServes() throws Exception {
        node.ready = false;
        startBoth();

        HttpResponse<String> response = call(Role.INTROSPECTION, "GET", "/healthz");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok\n");
    }

    @Test
    void readyzFollowsRestoreAndTheAbilityToGrow() throws Exception {
        node.ready = false;
        startBoth();
        assertThat(call(Role.INTROSPECTION, "GET", "/readyz").statusCode()).isEqualTo(503);

        node.ready = true;
        assertThat(call(Role.INTROSPECTION, "GET", "/readyz").body()).isEqualTo("ready: 16 addresses available\n");

        for (int i = 0; i < 16; i++) {
            node.assign("fill-" + i, "fill-" + i);
        }
        HttpResponse<String> growing = call(Role.INTROSPECTION, "GET", "/readyz");
        assertThat(growing.statusCode()).isEqualTo(200);
        assertThat(growing.body()).contains("growing");

        node.atCapacity = true; // every ENI attached and full, before any grow attempt has hit the limit
        HttpResponse<String> full = call(Role.INTROSPECTION, "GET", "/readyz");
        assertThat(full.statusCode()).isEqualTo(200);
        assertThat(full.body()).isEqualTo("ready: no address available and the pool cannot grow: every ENI the "
                + "instance type allows is attached and full; only pod deletions free addresses\n");
        assertThat(getJson("/v1/pool").path("readiness").path("reason").asText()).doesNotContain("growing")
                .contains("only pod deletions free addresses");
        node.atCapacity = false;

        node.growFailure = Optional.of(new GrowBlocked(GrowBlocked.Kind.THROTTLED, "RequestLimitExceeded",
                FakeNodeView.START));
        HttpResponse<String> blocked = call(Role.INTROSPECTION, "GET", "/readyz");
        assertThat(blocked.statusCode()).isEqualTo(503);
        assertThat(blocked.body()).startsWith("not ready: ").contains("THROTTLED");

        node.growFailure = Optional.of(new GrowBlocked(GrowBlocked.Kind.ENI_LIMIT, "3 ENIs attached",
                FakeNodeView.START));
        assertThat(call(Role.INTROSPECTION, "GET", "/readyz").statusCode()).isEqualTo(200);

        node.clock.advance(java.time.Duration.ofSeconds(31));
        assertThat(call(Role.INTROSPECTION, "GET", "/readyz").body()).isEqualTo("ready: 1 addresses available\n");
    }

    @Test
    void metricsAreServedInTheTextFormat() throws Exception {
        startBoth();

        HttpResponse<String> response = call(Role.METRICS, "GET", "/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).contains("\nawscni_total_ip_addresses 19\n");
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        startBoth();

        assertThat(call(Role.INTROSPECTION, "GET", "/v1/nothing").statusCode()).isEqualTo(404);
        assertThat(call(Role.INTROSPECTION, "GET", "/").statusCode()).isEqualTo(404);
        HttpResponse<String> post = call(Role.INTROSPECTION, "POST", "/v1/pool");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
        assertThat(call(Role.METRICS, "DELETE", "/metrics").statusCode()).isEqualTo(405);
    }

    @Test
    void equalAddressesShareOneListener() throws Exception {
        InetSocketAddress fixed;
        try (var probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fixed = new InetSocketAddress(InetAddress.getLoopbackAddress(), probe.getLocalPort());
        }
        start(new Listeners(Optional.of(fixed), Optional.of(fixed)));

        assertThat(server.address(Role.INTROSPECTION)).isEqualTo(server.address(Role.METRICS));
        assertThat(call(Role.METRICS, "GET", "/v1/pool").statusCode()).isEqualTo(200);
        assertThat(call(Role.INTROSPECTION, "GET", "/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void separateListenersServeOnlyTheirOwnPaths() throws Exception {
        startBoth();

        assertThat(server.address(Role.INTROSPECTION)).isNotEqualTo(server.address(Role.METRICS));
        assertThat(call(Role.INTROSPECTION, "GET", "/metrics").statusCode()).isEqualTo(404);
        assertThat(call(Role.METRICS, "GET", "/v1/pool").statusCode()).isEqualTo(404);
        assertThat(call(Role.METRICS, "GET", "/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void aDisabledRoleOpensNoListener() throws Exception {
        start(new Listeners(Optional.of(EPHEMERAL), Optional.empty()));

        assertThat(server.address(Role.METRICS)).isEmpty();
        assertThat(call(Role.INTROSPECTION, "GET", "/metrics").statusCode()).isEqualTo(404);
        assertThat(call(Role.INTROSPECTION, "GET", "/v1/enis").statusCode()).isEqualTo(200);
    }

    @Test
    void aFailingViewGivesA500AndTheServerGoesOn() throws Exception {
        node.limits = null;
        startBoth();

        HttpResponse<String> response = call(Role.INTROSPECTION, "GET", "/v1/pool");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(call(Role.INTROSPECTION, "GET", "/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void listenersComeFromTheDaemonSettings() {
        var config = io.vpccni.ipamd.config.IpamdConfig.fromEnvironment(java.util.Map.of(
                "INTROSPECTION_BIND_ADDRESS", "127.0.0.1:7000", "METRICS_BIND_ADDRESS", ":7001",
                "DISABLE_METRICS", "false"));
        Listeners listeners = Listeners.from(config.daemon());
        assertThat(listeners.introspection()).hasValue(new InetSocketAddress("127.0.0.1", 7000));
        assertThat(listeners.metrics()).hasValue(new InetSocketAddress(7001));

        var disabled = io.vpccni.ipamd.config.IpamdConfig.fromEnvironment(java.util.Map.of(
                "DISABLE_INTROSPECTION", "true", "DISABLE_METRICS", "true"));
        assertThat(Listeners.from(disabled.daemon())).isEqualTo(new Listeners(Optional.empty(), Optional.empty()));
    }
}
