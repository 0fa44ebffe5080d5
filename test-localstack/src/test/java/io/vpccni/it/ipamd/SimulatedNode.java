package io.vpccni.it.ipamd;

import io.vpccni.eni.aws.AwsEc2Api;
import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.imds.ImdsInstanceMetadata;
import io.vpccni.ipamd.app.NodeDaemon;
import io.vpccni.ipamd.app.NodeNetworking;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.k8s.ClusterLink;
import io.vpccni.it.ScratchDirectory;
import io.vpccni.it.faults.FaultInjector;
import io.vpccni.it.imds.TestImds;
import io.vpccni.it.localstack.LocalStack;
import io.vpccni.it.localstack.TestVpc;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.transport.IpamClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * One node for ipamd tests: its own VPC, subnet and instance in the emulator, a test IMDS for the instance, and
 * the real daemon in this JVM with its socket and checkpoint in a temporary directory. No kernel networking: the
 * ENIs have no links here (EniNetworking.NONE); host networking is tested in namespaces elsewhere.
 */
final class SimulatedNode implements AutoCloseable {

    final Ec2Client raw = LocalStack.rawClient();
    final TestVpc vpc = TestVpc.create(raw);
    final String subnetId = vpc.subnet(0, Map.of());
    final Instance instance;
    final TestImds imds;
    final FaultInjector faults = new FaultInjector();
    final Ec2CallStats stats = new Ec2CallStats();
    final Path dir;
    final Map<String, String> env = new HashMap<>();
    NodeDaemon daemon;
    /** The host side the daemon gets; no links by default. */
    NodeNetworking networking = NodeNetworking.NONE;

    SimulatedNode(String instanceType, Map<String, String> settings) throws IOException {
        instance = vpc.instance(subnetId, instanceType);
        imds = TestImds.start(raw, instance.instanceId());
        dir = ScratchDirectory.create("vpccni-node");
        env.put("VPC_CNI_SOCKET", dir.resolve("ipamd.sock").toString());
        env.put("AWS_VPC_K8S_CNI_BACKING_STORE", dir.resolve("ipam.json").toString());
        env.put("DISABLE_LEAKED_ENI_CLEANUP", "true");
        // Several daemons share this machine's loopback: ephemeral ports instead of 61678/61679.
        env.put("INTROSPECTION_BIND_ADDRESS", "127.0.0.1:0");
        env.put("METRICS_BIND_ADDRESS", "127.0.0.1:0");
        env.putAll(settings);
    }

    SimulatedNode start() throws IOException {
        AwsEc2Api ec2 = new AwsEc2Api(LocalStack.client(List.of(faults)), LocalStack.fastGuard(stats));
        daemon = new NodeDaemon(IpamdConfig.fromEnvironment(env),
                new ImdsInstanceMetadata(imds.endpoint(), Duration.ofSeconds(2)), ec2, stats, Clock.systemUTC(),
                networking, allocation -> true, Optional.empty(), ClusterLink.NONE).start();
        return this;
    }

    /**
     * A host side without links that still waits, as the kernel's does, for a new ENI's device to appear on the
     * instance, which happens when EC2's attachment completes (when the test IMDS lists it too): with the
     * emulator's attachment latency on, that is when a real node could first use the ENI's addresses. Looks
     * every 500 ms, as the daemon's own metadata wait does.
     */
    NodeNetworking waitingForAttachment() {
        return waitingUntil(eniId -> "attached".equals(raw.describeNetworkInterfaces(b -> b
                .networkInterfaceIds(eniId)).networkInterfaces().getFirst().attachment().statusAsString()));
    }

    /** A host side without links that hands a new ENI out once {@code attached} says so, looking every 500 ms. */
    static NodeNetworking waitingUntil(java.util.function.Predicate<String> attached) {
        return new NodeNetworking() {
            @Override
            public void setUpNode(io.vpccni.eni.model.InstanceIdentity identity,
                                  java.util.List<io.vpccni.eni.model.EniMetadata> enis) {}

            @Override
            public void attached(io.vpccni.ipamd.pool.NodeEni eni) {
                try {
                    for (int looks = 0; !attached.test(eni.id()); looks++) {
                        if (looks == 40) {
                            throw new IllegalStateException(eni.id() + " not attached after 20 s");
                        }
                        Thread.sleep(500);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for " + eni.id(), e);
                }
            }

            @Override
            public void detaching(io.vpccni.ipamd.pool.NodeEni eni) {}
        };
    }

    void restart() throws IOException {
        daemon.close();
        start();
    }

    IpamClient client() {
        return new IpamClient(Path.of(env.get("VPC_CNI_SOCKET")), Duration.ofSeconds(20));
    }

    AddOk add(String containerId) throws Exception {
        IpamReply reply = tryAdd(containerId);
        if (reply instanceof AddOk ok) {
            return ok;
        }
        throw new AssertionError("add of " + containerId + " failed: " + reply);
    }

    /** An add whose refusal is the test's subject: the reply as it is. */
    IpamReply tryAdd(String containerId) throws Exception {
        return client().call(new AddRequest("aws-cni", containerId, "eth0", "/var/run/netns/" + containerId,
                "default", "pod-" + containerId, "uid-" + containerId));
    }

    IpamReply del(String containerId) throws Exception {
        return client().call(new DelRequest("aws-cni", containerId, "eth0", "default", "pod-" + containerId,
                "uid-" + containerId));
    }

    /** Ticks the pool maintainer until the condition holds (each tick waits for EC2), at most 60 ticks. */
    void settle(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 60 && !condition.getAsBoolean(); i++) {
            tick();
        }
        if (!condition.getAsBoolean()) {
            throw new AssertionError("pool did not settle: " + daemon.view().poolStats());
        }
    }

    void tick() throws InterruptedException {
        long seen = daemon.maintainer().tickCount();
        daemon.maintainer().wake();
        daemon.maintainer().awaitTickAfter(seen, Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        if (daemon != null) {
            daemon.close();
        }
        imds.close();
        faults.close();
        vpc.close();
        try {
            ScratchDirectory.delete(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("removing " + dir, e);
        }
    }
}
