package io.vpccni.ipamd.app;

import io.vpccni.cni.dataplane.HostNamespace;
import io.vpccni.cni.server.PluginServer;
import io.vpccni.eni.aws.AwsEc2Api;
import io.vpccni.eni.aws.Ec2Clients;
import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.eni.imds.ImdsInstanceMetadata;
import io.vpccni.eni.port.InstanceMetadata;
import io.vpccni.ipamd.config.InvalidConfigurationException;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.hostnet.AwsNodeNftTable;
import io.vpccni.ipamd.hostnet.CommandRunner;
import io.vpccni.ipamd.hostnet.IptablesRestore;
import io.vpccni.ipamd.hostnet.LinkRetry;
import io.vpccni.ipamd.hostnet.ProcSys;
import io.vpccni.ipamd.hostnet.SnatReconciler;
import io.vpccni.ipamd.k8s.ClusterLink;
import io.vpccni.ipamd.k8s.KubernetesLink;
import io.vpccni.netlink.api.Netlink;
import io.vpccni.netlink.socket.KernelNetlink;
import io.vpccni.ipamd.datastore.Allocation;
import io.vpccni.ipamd.status.NodeStatusCommand;
import io.vpccni.eni.model.InstanceIdentity;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Entry point of the daemon image: {@code ipamd} runs the daemon (the default), {@code status} prints the node's
 * pool for a person. The only class that reads the process environment or exits.
 */
public final class Main {

    /** Standard AWS SDK variable; set it to reach EC2 through an interface endpoint, or the emulator in tests. */
    static final String EC2_ENDPOINT = "AWS_ENDPOINT_URL_EC2";
    /**
     * How long a starting daemon waits for its instance metadata before it exits: a service restarting or a link
     * coming up is over within it, and the DaemonSet restarts the pod with a back-off for anything longer.
     */
    static final Duration METADATA_PATIENCE = Duration.ofSeconds(60);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(16);

    private Main() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String command = args.length == 0 ? "ipamd" : args[0];
        switch (command) {
            case "ipamd" -> runDaemon(env);
            case "status" -> System.exit(NodeStatusCommand.run(List.of(args).subList(1, args.length), System.out,
                    System.err, env));
            default -> {
                System.err.println("usage: ipamd [ipamd | status [--endpoint URL] [--json]]");
                System.exit(2);
            }
        }
    }

    /**
     * What the daemon does in the host namespace, chosen by whoever starts it; {@code pluginHost} is where the plugin
     * server builds pods' data planes (empty: no plugin server).
     */
    public record HostSide(NodeNetworking networking, Predicate<Allocation> stillWired,
                           Optional<HostNamespace> pluginHost) {}

    private static void runDaemon(Map<String, String> env) throws Exception {
        try {
            DaemonLog.install(IpamdConfig.fromEnvironment(env).daemon());
        } catch (InvalidConfigurationException e) {
            // start() says what is wrong and does not start
        }
        NodeDaemon daemon = start(env, Main::kernelHostSide);
        if (daemon == null) {
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }));
        stopped.await();
    }

    /**
     * Composes and starts the daemon from the process environment; returns null after printing why when the
     * configuration is invalid.
     */
    public static NodeDaemon start(Map<String, String> env,
                                   BiFunction<IpamdConfig, InstanceMetadata, HostSide> hostSide) throws IOException {
        return start(env, hostSide, METADATA_PATIENCE, System.err);
    }

    /** @param metadataPatience how long to retry an instance metadata service that does not answer */
    static NodeDaemon start(Map<String, String> env, BiFunction<IpamdConfig, InstanceMetadata, HostSide> hostSide,
                            Duration metadataPatience, PrintStream err) throws IOException {
        IpamdConfig config;
        try {
            config = IpamdConfig.fromEnvironment(env);
        } catch (InvalidConfigurationException e) {
            err.println("ipamd: invalid configuration, not starting:\n" + e.getMessage());
            return null;
        }
        URI metadataEndpoint = ImdsInstanceMetadata.endpointFrom(env);
        InstanceMetadata metadata = new ImdsInstanceMetadata(metadataEndpoint, Duration.ofSeconds(5));
        Optional<InstanceIdentity> identity = identity(metadata, metadataEndpoint, metadataPatience, err);
        if (identity.isEmpty()) {
            return null;
        }
        String region = identity.get().region();
        Optional<URI> endpoint = Optional.ofNullable(env.get(EC2_ENDPOINT)).filter(v -> !v.isBlank()).map(URI::create);
        Ec2CallStats stats = new Ec2CallStats();
        AwsEc2Api ec2 = new AwsEc2Api(Ec2Clients.create(Region.of(region), endpoint,
                DefaultCredentialsProvider.builder().build(), List.of()),
                new Ec2Guard(Ec2Guard.Settings.defaults(), stats));
        HostSide host = hostSide.apply(config, metadata);
        ClusterLink cluster;
        if (config.daemon().nodeName().isPresent()) {
            cluster = KubernetesLink.inCluster(config.daemon().nodeName().get(), config.eni(),
                    config.daemon().annotatePodIp(), Clock.systemUTC());
        } else if (config.eni().customNetworking()) {
            err.println("ipamd: AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true needs MY_NODE_NAME (the downward API's"
                    + " spec.nodeName) to find the node's ENIConfig; not starting");
            return null;
        } else {
            err.println("ipamd: MY_NODE_NAME is unset: running without the Kubernetes API (no stale-pod"
                    + " cleanup, events, unschedulable handling or pod annotations)");
            cluster = ClusterLink.NONE;
        }
        return new NodeDaemon(config, metadata, ec2, stats, Clock.systemUTC(), host.networking(), host.stillWired(),
                host.pluginHost(), cluster).start();
    }

    /**
     * The instance's identity from its metadata service, retried with a doubling pause while the service does not
     * answer, for at most {@code patience}: one line to {@code err} per failed attempt, and empty after the last.
     */
    static Optional<InstanceIdentity> identity(InstanceMetadata metadata, URI endpoint, Duration patience,
                                               PrintStream err) {
        long started = System.nanoTime();
        long deadline = started + patience.toNanos();
        Duration pause = FIRST_RETRY;
        for (int attempt = 1; ; attempt++) {
            String failure;
            try {
                return Optional.of(metadata.identity());
            } catch (InstanceMetadata.MetadataUnavailable e) {
                failure = oneLine(e);
            }
            long now = System.nanoTime();
            if (deadline - now < pause.toNanos()) {
                err.println("ipamd: no instance metadata at " + endpoint + " after " + attempt + " attempts in "
                        + Duration.ofNanos(now - started).toSeconds() + " s, exiting: " + failure + " (ipamd learns its instance, ENIs and "
                        + "subnets there; AWS_EC2_METADATA_SERVICE_ENDPOINT names another endpoint)");
                return Optional.empty();
            }
            err.println("ipamd: no instance metadata at " + endpoint + " (attempt " + attempt + "), retrying in "
                    + pause.toSeconds() + " s: " + failure);
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            pause = pause.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : pause.multipliedBy(2);
        }
    }

    /** The failure and, when the SDK's message hides it ("Exceeded maximum number of retries"), its root cause. */
    private static String oneLine(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = String.valueOf(e.getMessage());
        if (root != e && root.getMessage() != null && !text.contains(root.getMessage())) {
            text += " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return text.replaceAll("\\s+", " ");
    }

    private static HostSide kernelHostSide(IpamdConfig config, InstanceMetadata metadata) {
        Netlink netlink = KernelNetlink.open();
        CommandRunner commands = CommandRunner.processes(Duration.ofSeconds(30));
        NodeNetworking networking = new KernelNodeNetworking(config, netlink,
                new SnatReconciler(IptablesRestore.detect(List.of(), commands)),
                ProcSys.host(), LinkRetry.standard(), new MetadataMacs(metadata, MetadataMacs.NEW_ENI),
                new AwsNodeNftTable(List.of(), commands));
        return new HostSide(networking, new HostVeths(netlink, config.hostNetwork().vethPrefix())::stillWired,
                Optional.of(HostNamespace.ofProcess(PluginServer.sysctlRoot().toFile())));
    }
}
