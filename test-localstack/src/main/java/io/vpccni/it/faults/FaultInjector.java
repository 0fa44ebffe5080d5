package io.vpccni.it.faults;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import io.vpccni.eni.aws.Ec2QueryClient;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Makes chosen EC2 calls fail the way EC2 fails them. A faulted request is redirected, before it is sent, to a
 * loopback server that answers with the EC2 error reply; so the emulator never sees it (no side effect, as with a
 * real throttle) and the daemon's EC2 client parses a real error response.
 */
public final class FaultInjector implements Ec2QueryClient.RequestHook, AutoCloseable {

  private record Planned(Fault fault, AtomicInteger remaining) {}

  private record Random(double probability, Fault fault, Set<String> operations) {}

  private final HttpServer server;
  private final Map<String, Planned> planned = new ConcurrentHashMap<>();
  private volatile Optional<Random> random = Optional.empty();
  private final Map<String, Fault> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong injected = new AtomicLong();

  public FaultInjector() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the fault server", e);
    }
    server.createContext("/", exchange -> {
      Fault fault = inFlight.remove(exchange.getRequestURI().getPath().substring(1));
      Fault reply = fault == null ? Fault.INTERNAL_ERROR : fault;
      byte[] body = reply.xml().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/xml");
      exchange.sendResponseHeaders(reply.httpStatus(), body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  /** The next {@code times} calls of the operation (e.g. "AttachNetworkInterface") fail with the fault. */
  public void failNext(String operation, int times, Fault fault) {
    planned.put(operation, new Planned(fault, new AtomicInteger(times)));
  }

  /** Each call of the given operations (all when empty) fails with the fault with the given probability. */
  public void failRandomly(double probability, Fault fault, Set<String> operations) {
    random = Optional.of(new Random(probability, fault, Set.copyOf(operations)));
  }

  public void clear() {
    planned.clear();
    random = Optional.empty();
  }

  public long injectedCount() {
    return injected.get();
  }

  @Override
  public SdkHttpRequest beforeSigning(String operation, SdkHttpRequest request) {
    Optional<Fault> fault = faultFor(operation);
    if (fault.isEmpty()) {
      return request;
    }
    injected.incrementAndGet();
    String key = java.util.UUID.randomUUID().toString();
    inFlight.put(key, fault.get());
    return request.toBuilder()
        .protocol("http").host("127.0.0.1").port(server.getAddress().getPort()).encodedPath("/" + key)
        .build();
  }

  private Optional<Fault> faultFor(String operation) {
    Planned plan = planned.get(operation);
    if (plan != null && plan.remaining().getAndDecrement() > 0) {
      return Optional.of(plan.fault());
    }
    Optional<Random> chance = random;
    if (chance.isPresent() && (chance.get().operations().isEmpty() || chance.get().operations().contains(operation))
        && ThreadLocalRandom.current().nextDouble() < chance.get().probability()) {
      return Optional.of(chance.get().fault());
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
