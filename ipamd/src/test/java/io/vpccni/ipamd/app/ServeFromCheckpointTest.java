package io.vpccni.ipamd.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.fake.FakeEc2Api;
import io.vpccni.eni.guard.Ec2CallStats;
import io.vpccni.eni.port.Ec2Api;
import io.vpccni.eni.port.InstanceMetadata;
import io.vpccni.ipamd.config.IpamdConfig;
import io.vpccni.ipamd.k8s.ClusterLink;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.DelOk;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.Failure;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.ReasonCode;
import io.vpccni.rpc.message.StatusRequest;
import io.vpccni.rpc.transport.IpamClient;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarted daemon serves from its checkpoint before EC2 has answered: the real NodeDaemon on the in-memory EC2,
 * restarted while every EC2 call waits until the test lets EC2 answer. An add gets an address the checkpoint records
 * as free, a del releases, and once EC2 answers the daemon is ready with both kept; what the checkpoint cannot serve
 * (aws-node's file records no pool; a pool with nothing free) is refused with a reason that says so.
 */
class ServeFromCheckpointTest {

    @TempDir
    Path dir;

    private final FakeEc2Api ec2 = new FakeEc2Api();
    private final CountDownLatch ec2Answers = new CountDownLatch(1);
    private final Map<String, String> env = new HashMap<>();
    private InstanceMetadata metadata;
    private NodeDaemon first;
    private CompletableFuture<NodeDaemon> restarted;

    @BeforeEach
    void node() {
        String subnet = ec2.createSubnet("10.0.30.0/24");
        metadata = ec2.instanceMetadata(ec2.runInstance(subnet, "t3.small"));
        env.putAll(Map.of("VPC_CNI_SOCKET", dir.resolve("ipamd.sock").toString(),
                "AWS_VPC_K8S_CNI_BACKING_STORE", dir.resolve("ipam.json").toString(),
                "DISABLE_LEAKED_ENI_CLEANUP", "true", "WARM_IP_TARGET", "4", "VPC_CNI_ADD_WAIT", "300ms",
                "INTROSPECTION_BIND_ADDRESS", "127.0.0.1:0", "METRICS_BIND_ADDRESS", "127.0.0.1:0"));
    }

    @AfterEach
    void stop() throws Exception {
        ec2Answers.countDown();
        if (first != null) {
            first.close();
        }
        if (restarted != null) {
            restarted.get(30, TimeUnit.SECONDS).close();
        }
    }

    private NodeDaemon daemon(Ec2Api api) {
        return new NodeDaemon(IpamdConfig.fromEnvironment(env), metadata, api, new Ec2CallStats(), Clock.systemUTC(),
                NodeNetworking.NONE, allocation -> true, Optional.empty(), ClusterLink.NONE);
    }

    /** The first daemon with its warm addresses and pod a on one of them, stopped as a restart stops it. */
    private String firstRunWithPodA() throws Exception {
        first = daemon(ec2).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (first.view().poolStats().available() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(first.view().poolStats().available()).isGreaterThanOrEqualTo(4);
        String a = ((AddOk) call(add("a"))).ipv4Address();
        first.close();
        first = null;
        return a;
    }

    /** The same node's next daemon, whose every EC2 call waits for {@link #ec2Answers}. */
    private NodeDaemon restartWithEc2Waiting() throws Exception {
        Ec2Api waiting = (Ec2Api) Proxy.newProxyInstance(Ec2Api.class.getClassLoader(), new Class<?>[]{Ec2Api.class},
                (proxy, method, args) -> {
                    assertThat(ec2Answers.await(30, TimeUnit.SECONDS)).isTrue();
                    try {
                        return method.invoke(ec2, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        NodeDaemon daemon = daemon(waiting);
        restarted = CompletableFuture.supplyAsync(() -> {
            try {
                return daemon.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) { // until the new daemon's socket answers (it refuses adds until it has read the checkpoint)
            try {
                call(new StatusRequest());
                return daemon;
            } catch (IOException notYet) {
                assertThat(System.nanoTime()).as("the restarted daemon listens").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }

    @Test
    void addsAndDelsAreServedFromTheCheckpointBeforeEc2AnswersAndKeptOnceItHas() throws Exception {
        String a = firstRunWithPodA();
        long ec2CallsBefore = ec2.totalCalls();
        NodeDaemon daemon = restartWithEc2Waiting();

        IpamReply b = call(add("b"));
        IpamReply delA = call(new DelRequest("aws-cni", "a", "eth0", "default", "pod-a", "uid-a"));

        assertThat(b).isInstanceOf(AddOk.class);
        String bIp = ((AddOk) b).ipv4Address();
        assertThat(bIp).isNotEqualTo(a).startsWith("10.0.30.");
        assertThat(delA).isEqualTo(new DelOk(Optional.of(new DelOk.Released(a, 0, AddOk.MAIN_TABLE))));
        assertThat(ec2.totalCalls()).as("EC2 not asked yet").isEqualTo(ec2CallsBefore);
        assertThat(daemon.view().ready()).isFalse();

        ec2Answers.countDown();
        restarted.get(30, TimeUnit.SECONDS);
        assertThat(daemon.view().ready()).isTrue();
        assertThat(daemon.view().allocations()).extracting(x -> x.key().containerId() + "=" + x.ip())
                .containsExactly("b=" + bIp);
        assertThat(daemon.view().coolingAddresses()).extracting(c -> c.ip().toString()).containsExactly(a);
    }

    @Test
    void aws_nodesCheckpointRecordsNoPoolSoAnAddIsRefusedUntilEc2HasAnsweredSayingWhy() throws Exception {
        firstRunWithPodA();
        Path file = dir.resolve("ipam.json");
        String withPool = Files.readString(file);
        assertThat(withPool).contains(",\"enis\":[");
        Files.writeString(file, withPool.substring(0, withPool.indexOf(",\"enis\":[")) + "}\n");
        restartWithEc2Waiting();

        IpamReply b = call(add("b"));

        assertThat(b).isInstanceOfSatisfying(Failure.class, f -> {
            assertThat(f.reason()).isEqualTo(ReasonCode.NOT_READY);
            assertThat(f.message()).isEqualTo("ipamd is starting: the address pool is not restored yet");
        });
    }

    @Test
    void anAddTheCheckpointsPoolHasNoAddressForIsRefusedWithThatReason() throws Exception {
        firstRunWithPodA();
        restartWithEc2Waiting();
        int taken = 0;
        while (call(add("pod" + taken)) instanceof AddOk) {
            taken++;
        }

        IpamReply refused = call(add("one-more"));

        assertThat(taken).isGreaterThanOrEqualTo(3);
        assertThat(refused).isInstanceOfSatisfying(Failure.class, f -> {
            assertThat(f.reason()).isEqualTo(ReasonCode.NOT_READY);
            assertThat(f.message()).startsWith("ipamd is starting: the checkpoint's pool has no free address (")
                    .endsWith(") and EC2 has not answered yet");
        });
    }

    private static AddRequest add(String containerId) {
        return new AddRequest("aws-cni", containerId, "eth0", "/var/run/netns/" + containerId, "default",
                "pod-" + containerId, "uid-" + containerId);
    }

    private IpamReply call(Object request) throws Exception {
        return new IpamClient(dir.resolve("ipamd.sock"), Duration.ofSeconds(10))
                .call((io.vpccni.rpc.message.IpamRequest) request);
    }
}
