package io.vpccni.it.ipamd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.it.localstack.EmulatorTiming;
import io.vpccni.it.localstack.LocalStack;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.DelOk;
import io.vpccni.rpc.message.IpamReply;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/**
 * EC2 throttles the node for half a minute, from load rather than by injection: the emulator applies EC2's request
 * token buckets (per account and API: mutating calls 50 tokens, 5 a second back), and a noisy neighbour of the same
 * account (another node, a script) calls AssignPrivateIpAddresses and UnassignPrivateIpAddresses far faster than they
 * refill, so the node's own pool calls find the buckets empty and EC2 answers RequestLimitExceeded. Meanwhile pods
 * come and go in waves of 20, which the pool must grow and shrink for. The add path makes no EC2 call, so no add
 * fails while the pool has a free address, and once the neighbour stops the pool converges to its targets.
 */
class ThrottledEc2Test {

    private static final Duration THROTTLED_FOR = Duration.ofSeconds(30);
    private static final int WAVE = 20;

    @Test
    void noAddFailsWhileAddressesAreFreeAndThePoolConvergesAfterwards() throws Exception {
        try (SimulatedNode node = new SimulatedNode("m5.large",
                Map.of("WARM_IP_TARGET", "5", "MINIMUM_IP_TARGET", "10", "IP_COOLDOWN_PERIOD", "0"));
             EmulatorTiming buckets = EmulatorTiming.of(Map.of(), true)) {
            node.start();
            node.settle(() -> node.daemon.view().poolStats().total() >= 10);
            long throttledBefore = node.stats.failures(Ec2Failure.Throttled.class);

            AtomicBoolean noisy = new AtomicBoolean(true);
            Thread neighbour = Thread.ofPlatform().name("noisy-neighbour").start(() -> hammer(node, noisy));
            ArrayDeque<String> live = new ArrayDeque<>();
            int adds = 0;
            boolean growing = true;
            long end = System.nanoTime() + THROTTLED_FOR.toNanos();
            try {
                for (int i = 0; System.nanoTime() < end; i++) {
                    growing = growing ? live.size() < WAVE : live.isEmpty();
                    if (growing && node.daemon.view().poolStats().available() > 0) {
                        String pod = "t" + i;
                        IpamReply reply = node.client().call(new AddRequest("aws-cni", pod, "eth0",
                                "/var/run/netns/x", "default", pod, ""));
                        assertThat(reply).as("add %d with free addresses in the pool", i).isInstanceOf(AddOk.class);
                        live.add(pod);
                        adds++;
                    } else if (!growing) {
                        assertThat(node.del(live.poll())).isInstanceOf(DelOk.class);
                    }
                    Thread.sleep(50);
                }
            } finally {
                noisy.set(false);
                neighbour.join();
            }
            long throttled = node.stats.failures(Ec2Failure.Throttled.class) - throttledBefore;

            // The guard backs off after so many throttles (its circuit breaker may be open for a while): wait in
            // time, not in ticks.
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!(node.daemon.view().poolStats().available() >= 5 && node.daemon.view().poolStats().total() >= 10
                    && node.daemon.view().lastGrowFailure().isEmpty()) && System.nanoTime() < deadline) {
                node.tick();
                Thread.sleep(500);
            }
            assertThat(node.daemon.view().poolStats().available()).as("free addresses once EC2 recovered: %s",
                    node.daemon.view().poolStats()).isGreaterThanOrEqualTo(5);
            assertThat(node.daemon.view().lastGrowFailure()).isEmpty();
            assertThat(throttled).as("the node's EC2 calls the emulator throttled").isPositive();
            // At least the ten addresses the pool held before: under a neighbour that keeps the buckets empty the
            // pool may not grow at all, which is what throttling means.
            assertThat(adds).isGreaterThanOrEqualTo(10);
            assertThat(node.daemon.view().poolStats().assigned()).isEqualTo(live.size());
        }
    }

    /** Another client of the account, on an ENI of its own: an address assigned and unassigned, again and again. */
    private static void hammer(SimulatedNode node, AtomicBoolean noisy) {
        Ec2Client sameAccount = LocalStack.throttledClient(); // not the harness's client: its calls are throttled
        String eni = node.raw.createNetworkInterface(b -> b.subnetId(node.subnetId)).networkInterface()
                .networkInterfaceId();
        while (noisy.get()) {
            try {
                String ip = sameAccount.assignPrivateIpAddresses(b -> b.networkInterfaceId(eni)
                        .secondaryPrivateIpAddressCount(1)).assignedPrivateIpAddresses().getFirst().privateIpAddress();
                sameAccount.unassignPrivateIpAddresses(b -> b.networkInterfaceId(eni).privateIpAddresses(ip));
            } catch (Ec2Exception throttled) {
                // expected most of the time: the neighbour keeps the buckets empty
            }
        }
    }
}
