package io.vpccni.ipamd.introspect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vpccni.ipamd.config.DaemonSettings;
import io.vpccni.ipamd.metrics.Exposition;
import io.vpccni.rpc.unix.BoundedServer;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * ipamd's HTTP endpoints, read-only. Only GET is accepted (405 otherwise, with {@code Allow: GET}); any other
 * path is 404. A failure while rendering is a 500 with the message. One request per connection
 * ({@code Connection: close}).
 *
 * <p>These are also the liveness and readiness probes, reachable by any local process and hostNetwork pod, so
 * the server is bounded ({@link #LIMITS}, {@link BoundedServer}): slow or idle clients cost a descriptor each and
 * no thread; at most 1,024 connections, the oldest still sending its request closed to admit a new one; 5 s to
 * send a request of at most 8 KiB; four requests rendered at once.
 *
 * <p>The introspection listener (INTROSPECTION_BIND_ADDRESS, default 127.0.0.1:61679) serves {@code /v1/enis},
 * {@code /v1/pool}, {@code /v1/config}; the metrics listener (METRICS_BIND_ADDRESS, 127.0.0.1:61678) serves
 * {@code /metrics}. Both serve {@code /healthz} and {@code /readyz}, so probes work whichever is enabled. When
 * both addresses are equal one listener serves everything; a disabled role (DISABLE_INTROSPECTION,
 * DISABLE_METRICS) opens nothing and its paths are 404.
 *
 * <ul>
 *   <li>{@code /healthz}: 200 "ok" while the process serves.</li>
 *   <li>{@code /readyz}: 200 or 503, body "ready: reason" or "not ready: reason"; rule in {@link Readiness}.</li>
 *   <li>{@code /metrics}: Prometheus text 0.0.4, see {@link IpamMetrics}.</li>
 *   <li>{@code /v1/pool} ({@link PoolView}): {@code instanceId, instanceType, now, restored,
 *       readiness{ready, reason}, mode ("secondary-ip"|"prefix"), addresses{total, assigned, cooling, available},
 *       prefixes{total, unused}, prefixFallback{active, secondaryIps, retryPrefixesAt|null}|null (null outside
 *       prefix mode), enis{inPool, attached, unmanaged, max, instanceMax, ipv4PerEni, addressesPerEni,
 *       maxAddresses}, targets{warmEniTarget, warmIpTarget, minimumIpTarget, warmPrefixTarget, maxEni,
 *       warmTargetAddresses}, subnetFreeAddresses|null, lastPlan{actions[{type, eniId?, count?, unit?, cidrs?,
 *       reason?}], counts{total, assigned, cooling, available, prefixes, unusedPrefixes}}|null,
 *       lastGrowFailure{kind, message, at}|null, requests{adds, dels, noAvailableAddress, pluginServerInvocations|null},
 *       ec2{totalCalls, calls{api: n}, errors{"Api/Code": n}, throttled, permissionDenied}},
 *       networkPolicy{mode, listed, policies, endpoints, pods, notEnforced[], ingressDrops|null, egressDrops|null,
 *       lastError|null}|null (null when ENABLE_NETWORK_POLICY is off)}.
 *       Times are ISO-8601 instants.</li>
 *   <li>{@code /v1/enis} ({@link EnisView}): {@code enis[{eniId, deviceIndex, primary, unmanaged, subnetId,
 *       subnetCidr, primaryIp, mac, createdAt, total, assigned, cooling, available, cidrs[{cidr, prefix, total,
 *       assigned, cooling, available, addresses[{ip, state ("assigned"|"cooling"|"free"), holder{networkName,
 *       containerId, ifName, podNamespace, podName, podUid, assignedAt}?, releasedAt?}]}]}]}}.</li>
 *   <li>{@code /v1/config} ({@link ConfigView}): {@code settings[{name, value, defaultValue, description}]}, one
 *       per key of ConfigKeys.ALL, values in force.</li>
 * </ul>
 */
public final class IntrospectionServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(IntrospectionServer.class.getName());
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public enum Role { INTROSPECTION, METRICS }

    /** Where to listen; an empty address turns its role off. */
    public record Listeners(Optional<InetSocketAddress> introspection, Optional<InetSocketAddress> metrics) {

        /** From the daemon's settings: the bind addresses, unless DISABLE_INTROSPECTION / DISABLE_METRICS. */
        public static Listeners from(DaemonSettings daemon) {
            return new Listeners(
                    daemon.disableIntrospection() ? Optional.empty() : Optional.of(BindAddress.parse(
                            "INTROSPECTION_BIND_ADDRESS", daemon.introspectionBindAddress())),
                    daemon.disableMetrics() ? Optional.empty() : Optional.of(BindAddress.parse(
                            "METRICS_BIND_ADDRESS", daemon.metricsBindAddress())));
        }
    }

    static final BoundedServer.Limits LIMITS = new BoundedServer.Limits(1024, 4, HttpRequestHead.MAX_BYTES,
            1L << 20, Duration.ofSeconds(5), Duration.ofSeconds(5));

    private final List<BoundedServer> servers;
    private final Map<Role, InetSocketAddress> bound;

    private IntrospectionServer(List<BoundedServer> servers, Map<Role, InetSocketAddress> bound) {
        this.servers = servers;
        this.bound = bound;
    }

    /** Binds and starts the listeners; port 0 picks a free port (see {@link #address}). */
    public static IntrospectionServer start(NodeView view, Clock clock, Listeners listeners) throws IOException {
        // Equal addresses share a listener; port 0 ("any free port") never does, each gets its own.
        List<Map.Entry<InetSocketAddress, Set<Role>>> byAddress = new ArrayList<>();
        listeners.introspection().ifPresent(a -> byAddress.add(Map.entry(a, EnumSet.of(Role.INTROSPECTION))));
        listeners.metrics().ifPresent(a -> byAddress.stream()
                .filter(e -> a.getPort() != 0 && e.getKey().equals(a))
                .findFirst()
                .ifPresentOrElse(e -> e.getValue().add(Role.METRICS),
                        () -> byAddress.add(Map.entry(a, EnumSet.of(Role.METRICS)))));
        List<BoundedServer> servers = new ArrayList<>();
        Map<Role, InetSocketAddress> bound = new LinkedHashMap<>();
        Routes routes = new Routes(view, clock);
        try {
            for (Map.Entry<InetSocketAddress, Set<Role>> entry : byAddress) {
                ServerSocketChannel channel = ServerSocketChannel.open();
                InetSocketAddress address;
                try {
                    channel.bind(entry.getKey(), 128);
                    address = (InetSocketAddress) channel.getLocalAddress();
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
                Set<Role> roles = entry.getValue();
                servers.add(BoundedServer.start("http-" + address.getPort(), channel, LIMITS,
                        Thread.ofVirtual().name("http-" + address.getPort() + "-", 0).factory(),
                        new HttpHandler(request -> routes.handle(request, roles))));
                roles.forEach(role -> bound.put(role, address));
                LOG.log(Level.INFO, "serving {0} on {1}", roles, address);
            }
        } catch (IOException | RuntimeException e) {
            servers.forEach(BoundedServer::close);
            throw e;
        }
        return new IntrospectionServer(List.copyOf(servers), Map.copyOf(bound));
    }

    /** The address a role listens on, with the real port when 0 was asked for; empty when the role is off. */
    public Optional<InetSocketAddress> address(Role role) {
        return Optional.ofNullable(bound.get(role));
    }

    @Override
    public void close() {
        servers.forEach(BoundedServer::close);
    }

    /** What each listener has done so far (connections accepted, closed to make room, timed out, open). */
    public List<BoundedServer.Counts> counts() {
        return servers.stream().map(BoundedServer::counts).toList();
    }

    /** Path dispatch, shared by the listeners; which paths exist depends on the listener's roles. */
    private record Routes(NodeView view, Clock clock) {

        HttpResponse handle(HttpRequestHead request, Set<Role> roles) {
            String path = request.path();
            Optional<Supplier<Response>> route = route(path, roles);
            if (route.isEmpty()) {
                return HttpResponse.text(404, "not found: " + path + "\n");
            } else if (!"GET".equals(request.method())) {
                return HttpResponse.text(405, "method not allowed: only GET\n").withAllow("GET");
            }
            Response response = render(route.get(), path);
            return new HttpResponse(response.status(), response.contentType(), response.body(), Optional.empty());
        }

        private static Response render(Supplier<Response> route, String path) {
            try {
                return route.get();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "rendering " + path + " failed", e);
                return Response.text(500, "internal error rendering " + path + ": " + e + "\n");
            }
        }

        /** The response for a path, computed lazily so that 404 and 405 cost nothing. */
        private Optional<Supplier<Response>> route(String path, Set<Role> roles) {
            boolean introspection = roles.contains(Role.INTROSPECTION);
            return switch (path) {
                case "/healthz" -> serve((() -> Response.text(200, "ok\n")));
                case "/readyz" -> serve((this::readyz));
                case "/metrics" -> roles.contains(Role.METRICS)
                        ? serve((() -> new Response(200, Exposition.CONTENT_TYPE,
                                new IpamMetrics(view).render())))
                        : Optional.empty();
                case "/v1/pool" -> introspection
                        ? serve((() -> json(PoolView.of(view, clock.instant()))))
                        : Optional.empty();
                case "/v1/enis" -> introspection ? serve((() -> json(EnisView.of(view))))
                        : Optional.empty();
                case "/v1/config" -> introspection
                        ? serve((() -> json(ConfigView.of(view.config()))))
                        : Optional.empty();
                default -> Optional.empty();
            };
        }

        private static Optional<Supplier<Response>> serve(Supplier<Response> response) {
            return Optional.of(response);
        }

        private Response readyz() {
            Readiness readiness = Readiness.of(view.ready(), view.poolStats(), view.lastGrowFailure(), view.atCapacity());
            return switch (readiness) {
                case Readiness.Ready r -> Response.text(200, "ready: " + r.reason() + "\n");
                case Readiness.NotReady r -> Response.text(503, "not ready: " + r.reason() + "\n");
            };
        }

        private static Response json(Object body) {
            try {
                return new Response(200, "application/json", JSON.writeValueAsString(body) + "\n");
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot serialise " + body.getClass().getSimpleName(), e);
            }
        }

        private record Response(int status, String contentType, String body) {
            static Response text(int status, String body) {
                return new Response(status, "text/plain; charset=utf-8", body);
            }
        }
    }
}
