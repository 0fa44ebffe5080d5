package io.vpccni.ipamd.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.fake.FakeEc2Api;
import io.vpccni.eni.fake.GuardedEc2;
import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.guard.Ec2Guard;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.introspect.IpamMetrics;
import io.vpccni.ipamd.k8s.ClusterLink;
import io.vpccni.ipamd.metrics.PromTextParser;
import io.vpccni.netlink.testing.Await;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.DelOk;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.transport.IpamClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The histograms as the composition root wires them: requests sent to the daemon's socket are timed by its handler
 * and show in what its metrics endpoint renders from the read model, and the EC2 calls of its start show per API.
 */
class DaemonMetricsTest {

    @TempDir
    Path dir;

    @Test
    void requestsServedOnTheSocketAndEc2CallsShowInTheDaemonsHistograms() throws Exception {
        FakeEc2Api ec2 = new FakeEc2Api();
        String subnet = ec2.createSubnet("10.0.40.0/24");
        Map<String, String> env = Map.of("VPC_CNI_SOCKET", dir.resolve("ipamd.sock").toString(),
                "AWS_VPC_K8S_CNI_BACKING_STORE", dir.resolve("ipam.json").toString(),
                "DISABLE_LEAKED_ENI_CLEANUP", "true", "WARM_IP_TARGET", "2",
                "INTROSPECTION_BIND_ADDRESS", "127.0.0.1:0", "METRICS_BIND_ADDRESS", "127.0.0.1:0");
        // The guard is what reports each call to the stats, as the daemon's production EC2 client is guarded.
        Ec2CallStats stats = new Ec2CallStats();
        try (NodeDaemon daemon = new NodeDaemon(IpamdConfig.fromEnvironment(env),
                ec2.instanceMetadata(ec2.runInstance(subnet, "t3.small")),
                new GuardedEc2(ec2, new Ec2Guard(Ec2Guard.Settings.defaults(), stats)), stats, Clock.systemUTC(),
                NodeNetworking.NONE, allocation -> true, Optional.empty(), ClusterLink.NONE).start()) {
            Await.until(() -> daemon.view().poolStats().available() >= 2, Duration.ofSeconds(20),
                    Duration.ofMillis(20));
            IpamClient client = new IpamClient(dir.resolve("ipamd.sock"), Duration.ofSeconds(10));
            for (String pod : new String[] {"a", "b"}) {
                assertThat(client.call(new AddRequest("aws-cni", pod, "eth0", "/var/run/netns/" + pod, "default",
                        "pod-" + pod, "uid-" + pod))).isInstanceOf(AddOk.class);
            }
            assertThat(client.call(new DelRequest("aws-cni", "a", "eth0", "default", "pod-a", "uid-a")))
                    .isInstanceOf(DelOk.class);

            var families = PromTextParser.parse(new IpamMetrics(daemon.view()).render());
            var requests = PromTextParser.histogram(families.get("vpccni_ipam_request_duration_seconds"));
            assertThat(requests.get(Map.of("operation", "add")).count()).isEqualTo(2);
            assertThat(requests.get(Map.of("operation", "del")).count()).isEqualTo(1);
            assertThat(requests.get(Map.of("operation", "add")).sum()).isPositive();
            var ec2Calls = PromTextParser.histogram(families.get("vpccni_ec2_request_duration_seconds"));
            assertThat(ec2Calls.keySet()).contains(Map.of("api", "DescribeInstanceTypes"),
                    Map.of("api", "AssignPrivateIpAddresses"));
        }
    }
}
