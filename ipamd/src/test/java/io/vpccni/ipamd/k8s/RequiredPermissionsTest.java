package io.vpccni.ipamd.k8s;

import static io.vpccni.ipamd.k8s.MockCluster.NODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.ipamd.datastore.MutableClock;
import io.vpccni.ipamd.warmpool.PoolAction;
import io.vpccni.netlink.testing.ClosedAfterAll;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The RBAC rules in {@link RequiredPermissions} (which the ClusterRole in deploy/ is checked against) are exactly
 * the API calls the link makes: every code path that talks to the API server is driven against fabric8's mock
 * server, each request it records is turned into the (apiGroup, resource, verb) an API server would authorize, and
 * the set must equal the rules. A call missing from the rules is a 403 on a real cluster; a rule the code never
 * needs is a grant nobody should have.
 */
@ExtendWith(ClosedAfterAll.class) // before the mock server: closes the links after it has stopped
@EnableKubernetesMockClient(crud = true)
class RequiredPermissionsTest {

    /** Tells the link's requests from the fixtures' (which create the CRD, node, pods and read events). */
    static final String LINK_AGENT = "vpc-cni-ipamd-under-test";

    /** One authorization check of the API server. */
    record Access(String apiGroup, String resource, String verb) {}

    KubernetesClient client;
    KubernetesMockServer server;
    ClosedAfterAll.Later later;

    @ParameterizedTest(name = "ANNOTATE_POD_IP={0}")
    @ValueSource(booleans = {true, false})
    void everyApiCallTheLinkMakesIsGrantedAndEveryGrantIsUsed(boolean annotatePodIp) throws Exception {
        MockCluster cluster = new MockCluster(client);
        cluster.node(Map.of(), Map.of(), List.of());
        cluster.eniConfig("default", Map.of("subnet", "subnet-default"));
        Hooks daemon = new Hooks();
        daemon.allocations.add(MockCluster.allocation("shop", "web-1", cluster.pod("shop", "web-1", NODE),
                "10.0.1.11"));
        daemon.full = true;

        KubernetesClient linkClient = later.add(new KubernetesClientBuilder().withConfig(
                new ConfigBuilder(client.getConfiguration()).withUserAgent(LINK_AGENT).build()).build());
        // Custom networking on: every informer is in play, and every write the annotation setting allows.
        KubernetesLink link = new KubernetesLink(linkClient, NODE, MockCluster.eniSettings(true), annotatePodIp,
                new MutableClock(Instant.parse("2026-01-01T00:00:00Z")), MockCluster.MANUAL);
        later.add(link);

        link.start(daemon.hooks());
        MockCluster.await(() -> link.cluster().node().isPresent() && link.cluster().podsOnNode().isPresent()
                && link.cluster().eniConfig("default").isPresent(), "node, pods and ENIConfigs listed");
        link.reconcileOnce(); // annotates web-1 if on (pods patch) and reports the ENI limit (events create)
        link.poolEvents().failed(new PoolAction.CreateEni(PoolAction.AddressUnit.IP, 10),
                new Ec2Failure.SubnetFull("CreateNetworkInterface", "InsufficientFreeAddressesInSubnet",
                        "no free addresses", null));
        // Reads of the cache only: they must not show up as requests.
        link.conditions();
        new EniConfigChoice(link.cluster(), MockCluster.LABEL, MockCluster.LABEL).resolve();

        Set<Access> granted = RequiredPermissions.of(annotatePodIp).stream()
                .flatMap(rule -> rule.verbs().stream().map(verb -> new Access(rule.apiGroup(), rule.resource(), verb)))
                .collect(Collectors.toSet());
        // Watches open after their list, and events go out on their own thread: wait for the requests to arrive,
        // but not forever - a grant the code never uses then shows up in the comparison below.
        List<RecordedRequest> requests = new ArrayList<>();
        Set<Access> made = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!made.containsAll(granted) && System.nanoTime() - deadline < 0) {
            RecordedRequest request = server.takeRequest(50, TimeUnit.MILLISECONDS);
            if (request != null && LINK_AGENT.equals(request.getHeader("User-Agent"))) {
                requests.add(request);
                made.add(access(request));
            }
        }
        // Anything still queued was made too.
        for (RecordedRequest request; (request = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null; ) {
            if (LINK_AGENT.equals(request.getHeader("User-Agent"))) {
                requests.add(request);
                made.add(access(request));
            }
        }

        assertThat(made).as("requests made: %s", requests.stream()
                .map(r -> r.getMethod() + " " + r.getPath()).toList()).isEqualTo(granted);
    }

    @Test
    void requestsMapToTheVerbsAnApiServerAuthorizes() {
        assertThat(access("GET", "/api/v1/nodes?fieldSelector=metadata.name%3Dn&resourceVersion=0"))
                .isEqualTo(new Access("", "nodes", "list"));
        assertThat(access("GET", "/api/v1/nodes?fieldSelector=metadata.name%3Dn&watch=true"))
                .isEqualTo(new Access("", "nodes", "watch"));
        assertThat(access("GET", "/api/v1/nodes/n")).isEqualTo(new Access("", "nodes", "get"));
        assertThat(access("PATCH", "/api/v1/namespaces/shop/pods/web-1")).isEqualTo(new Access("", "pods", "patch"));
        assertThat(access("POST", "/api/v1/namespaces/default/events")).isEqualTo(new Access("", "events", "create"));
        assertThat(access("GET", "/api/v1/namespaces/shop")).isEqualTo(new Access("", "namespaces", "get"));
        assertThat(access("GET", "/apis/crd.k8s.amazonaws.com/v1alpha1/eniconfigs?watch=true"))
                .isEqualTo(new Access("crd.k8s.amazonaws.com", "eniconfigs", "watch"));
        assertThat(access("GET", "/api/v1/namespaces/shop/pods/web-1/log"))
                .isEqualTo(new Access("", "pods/log", "get"));
    }

    private static Access access(RecordedRequest request) {
        return access(request.getMethod(), request.getPath());
    }

    /** The authorization check the API server makes for a request (resource requests only, as ours all are). */
    static Access access(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        List<String> segments = List.of(uri.getPath().replaceFirst("^/", "").split("/"));
        String group;
        List<String> rest;
        if (segments.getFirst().equals("api")) { // /api/v1/...
            group = "";
            rest = segments.subList(2, segments.size());
        } else if (segments.getFirst().equals("apis")) { // /apis/group/version/...
            group = segments.get(1);
            rest = segments.subList(3, segments.size());
        } else {
            throw new IllegalArgumentException("not a resource request: " + pathAndQuery);
        }
        if (rest.size() >= 3 && rest.getFirst().equals("namespaces")) { // namespaces/ns/resource... ("namespaces/ns" is a get)
            rest = rest.subList(2, rest.size());
        }
        String resource = rest.getFirst() + (rest.size() > 2 ? "/" + rest.get(2) : "");
        boolean named = rest.size() > 1;
        boolean watch = uri.getQuery() != null && List.of(uri.getQuery().split("&")).contains("watch=true");
        String verb = switch (method) {
            case "GET" -> named ? "get" : watch ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new IllegalArgumentException("unexpected method " + method);
        };
        return new Access(group, resource, verb);
    }
}
