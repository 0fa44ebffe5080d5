package io.vpccni.it.ipamd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.it.faults.Fault;
import io.vpccni.rpc.AddOk;
import io.vpccni.rpc.AddRequest;
import io.vpccni.rpc.DelOk;
import io.vpccni.rpc.IpamReply;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Half of all EC2 calls throttled for a minute (injected: the emulator never throttles): the add path makes no EC2
 * call, so no add fails while the pool has a free address, and once EC2 recovers the pool converges to its targets.
 */
class ThrottledEc2Test {

    private static final Duration THROTTLED_FOR = Duration.ofSeconds(60);

    @Test
    void noAddFailsWhileAddressesAreFreeAndThePoolConvergesAfterwards() throws Exception {
        try (SimulatedNode node = new SimulatedNode("m5.large",
                Map.of("WARM_IP_TARGET", "5", "MINIMUM_IP_TARGET", "10", "IP_COOLDOWN_PERIOD", "0")).start()) {
            node.settle(() -> node.daemon.poolStats().total() >= 10);
            // The first pool-growing call is throttled for certain: with only a few EC2 calls in the minute, a coin
            // flip per call alone let a run go unthrottled now and then, proving nothing.
            node.faults.failNext("AssignPrivateIpAddresses", 1, Fault.THROTTLED);
            node.faults.failNext("CreateNetworkInterface", 1, Fault.THROTTLED);
            node.faults.failRandomly(0.5, Fault.THROTTLED, Set.of());

            ArrayDeque<String> live = new ArrayDeque<>();
            int adds = 0;
            long end = System.nanoTime() + THROTTLED_FOR.toNanos();
            for (int i = 0; System.nanoTime() < end; i++) {
                if (node.daemon.poolStats().available() > 0) {
                    String pod = "t" + i;
                    IpamReply reply = node.client().call(new AddRequest("aws-cni", pod, "eth0", "/var/run/netns/x",
                            "default", pod, ""));
                    assertThat(reply).as("add %d with free addresses in the pool", i).isInstanceOf(AddOk.class);
                    live.add(pod);
                    adds++;
                }
                if (live.size() > 12) {
                    assertThat(node.del(live.poll())).isInstanceOf(DelOk.class);
                }
                Thread.sleep(50);
            }
            long throttled = node.faults.injectedCount();
            node.faults.clear();

            node.settle(() -> node.daemon.poolStats().available() >= 5 && node.daemon.poolStats().total() >= 10
                    && node.daemon.lastGrowFailure().isEmpty());
            assertThat(throttled).as("EC2 calls throttled").isPositive();
            assertThat(adds).isGreaterThan(100);
            assertThat(node.daemon.poolStats().assigned()).isEqualTo(live.size());
        }
    }
}
