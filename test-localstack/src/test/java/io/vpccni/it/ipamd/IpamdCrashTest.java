package io.vpccni.it.ipamd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.transport.IpamClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The daemon as its own process, killed with SIGKILL in the middle of a burst of adds and started again:
 * every add that was answered is still there with the same address, and no address is held twice.
 */
class IpamdCrashTest {

    private static final int ROUNDS = 3;

    @Test
    void noAcknowledgedAssignmentIsLostOrDuplicatedAcrossKills() throws Exception {
        try (SimulatedNode node = new SimulatedNode("m5.large", Map.of("MINIMUM_IP_TARGET", "26",
                "WARM_IP_TARGET", "1", "IP_COOLDOWN_PERIOD", "0"))) {
            Map<String, String> acknowledged = new ConcurrentHashMap<>();
            Set<String> unanswered = ConcurrentHashMap.newKeySet();
            AtomicInteger next = new AtomicInteger();
            int verified = 0;
            for (int round = 0; round <= ROUNDS; round++) {
                try (DaemonProcess daemon = DaemonProcess.start(node, List.of())) {
                    daemon.awaitReady();
                    verified += verifyAndClear(node, acknowledged, unanswered);
                    if (round < ROUNDS) {
                        churnThenKill(node, daemon, acknowledged, unanswered, next);
                    }
                }
            }
            assertThat(verified).as("acknowledged adds checked after kills").isGreaterThan(ROUNDS);
            node.raw.describeNetworkInterfaces(b -> b.filters(f -> f.name("attachment.instance-id")
                    .values(node.instance.instanceId()))).networkInterfaces().forEach(eni ->
                    assertThat(eni.privateIpAddresses()).as("addresses of %s", eni.networkInterfaceId())
                            .hasSizeLessThanOrEqualTo(10));
        }
    }

    /**
     * After a restart: every acknowledged add still holds its address (asking again returns it), no address has
     * two holders; then all pods are deleted, as the runtime would for pods whose ADD or DEL went unanswered,
     * so the 27-address node never fills up across rounds.
     */
    private static int verifyAndClear(SimulatedNode node, Map<String, String> acknowledged, Set<String> unanswered)
            throws Exception {
        Map<String, String> holders = new HashMap<>();
        for (Map.Entry<String, String> ack : acknowledged.entrySet()) {
            AddOk again = add(node, ack.getKey());
            assertThat(again.ipv4Address()).as("address of %s after the kill", ack.getKey()).isEqualTo(ack.getValue());
            assertThat(holders.put(again.ipv4Address(), ack.getKey())).as("second holder").isNull();
        }
        for (String container : acknowledged.keySet()) {
            del(node, container);
        }
        for (String container : unanswered) {
            del(node, container);
        }
        int checked = acknowledged.size();
        acknowledged.clear();
        unanswered.clear();
        return checked;
    }

    /**
     * Eight clients add pods and delete their older ones (at most two live pods each, so the 27-address node
     * never fills up) until the daemon is killed under them. A pod is forgotten before its delete is sent, since
     * an unanswered delete may or may not have happened.
     */
    private static void churnThenKill(SimulatedNode node, DaemonProcess daemon, Map<String, String> acknowledged,
                                      Set<String> unanswered, AtomicInteger next) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<?>> running = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            running.add(clients.submit(() -> {
                java.util.ArrayDeque<String> mine = new java.util.ArrayDeque<>();
                while (!Thread.currentThread().isInterrupted()) {
                    String container = "crash-" + next.incrementAndGet();
                    String pending = container;
                    try {
                        unanswered.add(container);
                        acknowledged.put(container, add(node, container).ipv4Address());
                        unanswered.remove(container);
                        mine.add(container);
                        if (mine.size() > 2) {
                            pending = mine.poll();
                            acknowledged.remove(pending);
                            unanswered.add(pending);
                            del(node, pending);
                            unanswered.remove(pending);
                        }
                    } catch (Exception | AssertionError killed) {
                        return; // the daemon died under us: this request was never answered
                    }
                }
            }));
        }
        Thread.sleep(ThreadLocalRandom.current().nextInt(100, 600));
        daemon.kill();
        clients.shutdownNow();
        for (var future : running) {
            try {
                future.get();
            } catch (Exception ignored) {
                // a client cut off mid-request is the point of the test
            }
        }
    }

    private static void del(SimulatedNode node, String container) throws Exception {
        new IpamClient(Path.of(node.env.get("VPC_CNI_SOCKET")), Duration.ofSeconds(10))
                .call(new io.vpccni.rpc.message.DelRequest("aws-cni", container, "eth0", "default", container, ""));
    }

    private static AddOk add(SimulatedNode node, String container) throws Exception {
        IpamReply reply = new IpamClient(Path.of(node.env.get("VPC_CNI_SOCKET")), Duration.ofSeconds(10))
                .call(new AddRequest("aws-cni", container, "eth0", "/var/run/netns/x", "default", container, ""));
        if (reply instanceof AddOk ok) {
            return ok;
        }
        throw new AssertionError(container + ": " + reply);
    }
}
