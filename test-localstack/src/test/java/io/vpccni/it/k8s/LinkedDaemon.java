package io.vpccni.it.k8s;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vpccni.eni.aws.AwsEc2Api;
import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.imds.ImdsInstanceMetadata;
import io.vpccni.ipamd.app.NodeDaemon;
import io.vpccni.ipamd.app.NodeNetworking;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.k8s.KubernetesLink;
import io.vpccni.it.ScratchDirectory;
import io.vpccni.it.imds.TestImds;
import io.vpccni.it.localstack.LocalStack;
import io.vpccni.it.localstack.TestVpc;
import io.vpccni.netlink.testing.ClosedAfterAll;
import io.vpccni.rpc.transport.IpamClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The real daemon in this JVM, without a data plane, linked to a (mock) API server as node {@code nodeName}: its
 * socket and checkpoint in {@code dir}, EC2 in the emulator, its instance metadata from {@code imds}. For the tests
 * of what ipamd does with the Kubernetes API (events, ENIConfigs) on a real EC2 emulator.
 */
final class LinkedDaemon {

    private LinkedDaemon() {}

    /** A daemon and the socket client to reach it. */
    record Started(NodeDaemon daemon, IpamClient ipam) {}

    /**
     * A new node: its Node object in the API server, an instance of {@code instanceType} in {@code subnet}, its test
     * IMDS and a daemon started with {@code settings}; everything to close goes to {@code later}.
     */
    static Started onNewNode(KubernetesClient client, Ec2Client raw, TestVpc vpc, String subnet, String name,
                             String instanceType, Map<String, String> settings, ClosedAfterAll.Later later)
            throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        TestImds imds = TestImds.start(raw, vpc.instance(subnet, instanceType).instanceId());
        later.add(imds);
        Path dir = ScratchDirectory.create("vpccni-" + name);
        later.add(() -> ScratchDirectory.delete(dir));
        NodeDaemon daemon = start(client, name, imds, dir, settings);
        later.add(daemon);
        return new Started(daemon, new IpamClient(dir.resolve("ipamd.sock"), Duration.ofSeconds(30)));
    }


    static NodeDaemon start(KubernetesClient client, String nodeName, TestImds imds, Path dir,
                            Map<String, String> settings) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "MY_NODE_NAME", nodeName,
                "VPC_CNI_SOCKET", dir.resolve("ipamd.sock").toString(),
                "AWS_VPC_K8S_CNI_BACKING_STORE", dir.resolve("ipam.json").toString(),
                "DISABLE_LEAKED_ENI_CLEANUP", "true",
                // Several daemons share this machine's loopback: ephemeral ports instead of 61678/61679.
                "INTROSPECTION_BIND_ADDRESS", "127.0.0.1:0",
                "METRICS_BIND_ADDRESS", "127.0.0.1:0"));
        env.putAll(settings);
        IpamdConfig config = IpamdConfig.fromEnvironment(env);
        Ec2CallStats stats = new Ec2CallStats();
        KubernetesLink link = new KubernetesLink(client, nodeName, config.eni(), false, Clock.systemUTC(),
                new KubernetesLink.Options(Duration.ofSeconds(1), Duration.ofMinutes(2), Duration.ofMinutes(10), false));
        return new NodeDaemon(config, new ImdsInstanceMetadata(imds.endpoint(), Duration.ofSeconds(2)),
                new AwsEc2Api(LocalStack.client(List.of()), LocalStack.fastGuard(stats)), stats, Clock.systemUTC(),
                NodeNetworking.NONE, allocation -> true, Optional.empty(), link).start();
    }
}
