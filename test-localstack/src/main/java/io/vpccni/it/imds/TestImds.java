package io.vpccni.it.imds;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.NetworkInterfacePrivateIpAddress;

/**
 * Instance metadata for one emulated instance, answered live from the emulator's EC2 state, since neither
 * LocalStack nor moto serves per-ENI metadata. ENIs appear once attached; {@code ipv4-prefix} lists an ENI's
 * delegated /28s (404 when it has none). IMDSv2 only: a GET without a valid session token gets 401.
 */
public final class TestImds implements AutoCloseable {

  private static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
  private static final String TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";

  private final Ec2Client ec2;
  private final String instanceId;
  private final Clock clock;
  private final HttpServer server;
  private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
  private final AtomicLong metadataRequests = new AtomicLong();

  private TestImds(Ec2Client ec2, String instanceId, InetSocketAddress bind, Clock clock) throws IOException {
    this.ec2 = ec2;
    this.instanceId = instanceId;
    this.clock = clock;
    this.server = HttpServer.create(bind, 16);
    server.createContext("/latest/api/token", this::token);
    server.createContext("/latest/meta-data/", this::metadata);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  /** Serves on an ephemeral loopback port. */
  public static TestImds start(Ec2Client ec2, String instanceId) {
    return start(ec2, instanceId, new InetSocketAddress("127.0.0.1", 0));
  }

  public static TestImds start(Ec2Client ec2, String instanceId, InetSocketAddress bind) {
    try {
      return new TestImds(ec2, instanceId, bind, Clock.systemUTC());
    } catch (IOException e) {
      throw new IllegalStateException("cannot start test IMDS on " + bind, e);
    }
  }

  public URI endpoint() {
    return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
  }

  /** Invalidates every session token, as a real IMDS does when a token's TTL runs out. */
  public void expireTokens() {
    tokens.clear();
  }

  public long metadataRequests() {
    return metadataRequests.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void token(HttpExchange exchange) throws IOException {
    if (!"PUT".equals(exchange.getRequestMethod())) {
      reply(exchange, 405, "");
      return;
    }
    String ttl = exchange.getRequestHeaders().getFirst(TTL_HEADER);
    int seconds;
    try {
      seconds = Integer.parseInt(ttl == null ? "" : ttl.trim());
    } catch (NumberFormatException e) {
      reply(exchange, 400, "");
      return;
    }
    if (seconds < 1 || seconds > 21600) {
      reply(exchange, 400, "");
      return;
    }
    String token = UUID.randomUUID().toString();
    tokens.put(token, clock.instant().plusSeconds(seconds));
    exchange.getResponseHeaders().add(TTL_HEADER, String.valueOf(seconds));
    reply(exchange, 200, token);
  }

  private void metadata(HttpExchange exchange) throws IOException {
    metadataRequests.incrementAndGet();
    String token = exchange.getRequestHeaders().getFirst(TOKEN_HEADER);
    Instant expiry = token == null ? null : tokens.get(token);
    if (expiry == null || expiry.isBefore(clock.instant())) {
      reply(exchange, 401, "");
      return;
    }
    String path = exchange.getRequestURI().getPath().substring("/latest/meta-data/".length());
    try {
      Optional<String> value = lookup(path);
      if (value.isPresent()) {
        reply(exchange, 200, value.get());
      } else {
        reply(exchange, 404, "");
      }
    } catch (RuntimeException e) {
      reply(exchange, 500, String.valueOf(e.getMessage()));
    }
  }

  private Optional<String> lookup(String path) {
    Instance instance = ec2.describeInstances(b -> b.instanceIds(instanceId)).reservations().getFirst()
        .instances().getFirst();
    // An ENI shows up in an instance's metadata once its attachment is complete, as on EC2 (the emulator keeps a
    // new attachment "attaching" for a while when its latency is switched on).
    List<NetworkInterface> enis = ec2.describeNetworkInterfaces(b -> b.filters(
        f -> f.name("attachment.instance-id").values(instanceId),
        f -> f.name("attachment.status").values("attached"))).networkInterfaces().stream()
        .sorted(Comparator.comparingInt(ni -> ni.attachment().deviceIndex()))
        .toList();
    NetworkInterface primary = enis.stream().filter(ni -> ni.attachment().deviceIndex() == 0).findFirst()
        .orElseThrow();
    String az = instance.placement().availabilityZone();
    switch (path) {
      case "instance-id": return Optional.of(instanceId);
      case "instance-type": return Optional.of(instance.instanceTypeAsString());
      case "placement/availability-zone": return Optional.of(az);
      case "placement/region": return Optional.of(az.substring(0, az.length() - 1));
      case "local-ipv4": return Optional.of(primary.privateIpAddress());
      case "mac": return Optional.of(mac(primary));
      case "network/interfaces/macs/", "network/interfaces/macs":
        return Optional.of(enis.stream().map(ni -> mac(ni) + "/").collect(Collectors.joining("\n")));
      default: break;
    }
    if (!path.startsWith("network/interfaces/macs/")) {
      return Optional.empty();
    }
    String[] parts = path.substring("network/interfaces/macs/".length()).split("/", 2);
    if (parts.length < 2) {
      return Optional.empty();
    }
    Optional<NetworkInterface> eni = enis.stream().filter(ni -> mac(ni).equals(parts[0])).findFirst();
    return eni.flatMap(ni -> eniValue(ni, parts[1]));
  }

  private Optional<String> eniValue(NetworkInterface eni, String key) {
    return switch (key) {
      case "interface-id" -> Optional.of(eni.networkInterfaceId());
      case "device-number" -> Optional.of(String.valueOf(eni.attachment().deviceIndex()));
      case "subnet-id" -> Optional.of(eni.subnetId());
      case "vpc-id" -> Optional.of(eni.vpcId());
      case "security-group-ids" -> Optional.of(eni.groups().stream().map(g -> g.groupId())
          .collect(Collectors.joining("\n")));
      case "local-ipv4s" -> Optional.of(eni.privateIpAddresses().stream()
          .sorted(Comparator.comparing(ip -> !Boolean.TRUE.equals(ip.primary())))
          .map(NetworkInterfacePrivateIpAddress::privateIpAddress).collect(Collectors.joining("\n")));
      case "ipv4-prefix" -> eni.ipv4Prefixes().isEmpty() ? Optional.empty()
          : Optional.of(eni.ipv4Prefixes().stream().map(p -> p.ipv4Prefix()).collect(Collectors.joining("\n")));
      case "ipv6s" -> eni.ipv6Addresses().isEmpty() ? Optional.empty()
          : Optional.of(eni.ipv6Addresses().stream().map(a -> a.ipv6Address()).collect(Collectors.joining("\n")));
      case "ipv6-prefix" -> eni.ipv6Prefixes().isEmpty() ? Optional.empty()
          : Optional.of(eni.ipv6Prefixes().stream().map(p -> p.ipv6Prefix()).collect(Collectors.joining("\n")));
      case "subnet-ipv6-cidr-blocks" -> Optional.of(ec2.describeSubnets(b -> b.subnetIds(eni.subnetId())).subnets()
          .getFirst().ipv6CidrBlockAssociationSet().stream().map(a -> a.ipv6CidrBlock())
          .collect(Collectors.joining("\n"))).filter(v -> !v.isEmpty());
      case "subnet-ipv4-cidr-block" -> Optional.of(ec2.describeSubnets(b -> b.subnetIds(eni.subnetId()))
          .subnets().getFirst().cidrBlock());
      case "vpc-ipv4-cidr-blocks" -> Optional.of(ec2.describeVpcs(b -> b.vpcIds(eni.vpcId())).vpcs().getFirst()
          .cidrBlockAssociationSet().stream().map(a -> a.cidrBlock()).collect(Collectors.joining("\n")));
      default -> Optional.empty();
    };
  }

  private static String mac(NetworkInterface eni) {
    return eni.macAddress();
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "text/plain");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }
}
