package io.vpccni.it.localstack;

import io.vpccni.eni.aws.Ec2Clients;
import io.vpccni.eni.aws.Ec2QueryClient;
import io.vpccni.eni.guard.Ec2CallObserver;
import io.vpccni.eni.guard.Ec2Guard;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The EC2 emulator the tests talk to: LocalStack on 127.0.0.1:4566. Reuses a running instance; otherwise starts one
 * with the repository's runner script and stops it when the JVM exits.
 */
public final class LocalStack {

  public static final URI ENDPOINT = URI.create(System.getProperty("vpccni.localstack", "http://127.0.0.1:4566"));
  public static final Region REGION = Region.US_EAST_1;
  private static volatile boolean ready;

  private LocalStack() {}

  /** Blocks until EC2 answers, starting LocalStack if nothing is listening. */
  public static synchronized void ensureRunning() {
    if (ready || healthy()) {
      ready = true;
      return;
    }
    Path script = findRunnerScript();
    run(script, "start");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        run(script, "stop");
      } catch (RuntimeException e) {
        System.err.println("stopping LocalStack: " + e.getMessage());
      }
    }));
    if (!healthy()) {
      throw new IllegalStateException("LocalStack started but EC2 is not healthy at " + ENDPOINT);
    }
    ready = true;
  }

  /**
   * A raw SDK client (no guard), for test fixtures that set up and inspect the emulator's state. Its calls carry
   * the harness header, which the emulator's fidelity layer neither throttles nor delays: they stand for what is not
   * an EC2 API call on AWS (the test IMDS, the fabric that plays the VPC router) or for the test looking on, and
   * must not eat the account's token buckets that the daemons under test share.
   */
  public static Ec2Client rawClient() {
    return sdkClient(List.of(HARNESS));
  }

  /**
   * An SDK client without the harness header, no retries: the emulator throttles and delays its calls as it does the
   * daemons' (another client of the same account, a test that must see every refusal).
   */
  public static Ec2Client throttledClient() {
    return sdkClient(List.of());
  }

  /** The header the fidelity layer exempts (vpccni_ec2_fidelity.HARNESS_HEADER). */
  static final String HARNESS_HEADER = "X-Vpccni-Harness";

  private static final ExecutionInterceptor HARNESS = new ExecutionInterceptor() {
    @Override
    public software.amazon.awssdk.http.SdkHttpRequest modifyHttpRequest(
        software.amazon.awssdk.core.interceptor.Context.ModifyHttpRequest context,
        software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
      return context.httpRequest().toBuilder().putHeader(HARNESS_HEADER, "1").build();
    }
  };

  private static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

  /** The daemon's own EC2 client ({@link Ec2Clients}) on the emulator; hooks inject faults ({@code FaultInjector}). */
  public static Ec2QueryClient client(List<Ec2QueryClient.RequestHook> hooks) {
    ensureRunning();
    return Ec2Clients.create(REGION, ENDPOINT, CREDENTIALS, hooks);
  }

  private static Ec2Client sdkClient(List<ExecutionInterceptor> interceptors) {
    ensureRunning();
    var overrides = ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.doNotRetry())
        .apiCallTimeout(Duration.ofSeconds(20));
    interceptors.forEach(overrides::addExecutionInterceptor);
    return Ec2Client.builder()
        .region(REGION)
        .endpointOverride(ENDPOINT)
        .credentialsProvider(CREDENTIALS)
        .httpClient(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(3))
            .socketTimeout(Duration.ofSeconds(10))
            .build())
        .overrideConfiguration(overrides.build())
        .build();
  }

  /** The production guard with short backoffs, so fault tests finish quickly. */
  public static Ec2Guard fastGuard(Ec2CallObserver observer) {
    return new Ec2Guard(Ec2Guard.Settings.defaults()
        .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200)), observer);
  }

  static boolean healthy() {
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
      HttpResponse<String> reply = http.send(
          HttpRequest.newBuilder(ENDPOINT.resolve("/_localstack/health")).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (reply.statusCode() != 200 || !reply.body().matches("(?s).*\"ec2\": *\"(running|available)\".*")) {
        return false;
      }
      // A LocalStack without the project's fidelity layer is not the emulator the tests are written for.
      return http.send(HttpRequest.newBuilder(ENDPOINT.resolve("/_vpccni/ec2/config")).timeout(Duration.ofSeconds(3))
          .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Path findRunnerScript() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("test-localstack/emulator/localstack.sh");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("LocalStack is not running at " + ENDPOINT
        + " and test-localstack/emulator/localstack.sh was not found above " + Path.of("").toAbsolutePath());
  }

  private static void run(Path script, String verb) {
    try {
      Process process = new ProcessBuilder(script.toString(), verb).inheritIO().start();
      if (process.waitFor() != 0) {
        throw new IllegalStateException(script + " " + verb + " exited " + process.exitValue());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script + " " + verb, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + script + " " + verb, e);
    }
  }
}
