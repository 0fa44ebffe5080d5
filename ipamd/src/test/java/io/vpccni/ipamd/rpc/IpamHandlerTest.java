package io.vpccni.ipamd.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.fake.Fault;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.port.Ec2Api.CreateEni;
import io.vpccni.ipamd.checkpoint.JsonFileCheckpointStore;
import io.vpccni.ipamd.datastore.DatastoreSnapshot;
import io.vpccni.ipamd.state.PoolCheckpoint;
import io.vpccni.ipamd.testing.FakeNode;
import io.vpccni.ipamd.warmpool.PoolTargets;
import io.vpccni.rpc.message.AddOk;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.AttachmentKey;
import io.vpccni.rpc.message.DelOk;
import io.vpccni.rpc.message.DelRequest;
import io.vpccni.rpc.message.Failure;
import io.vpccni.rpc.message.GcOk;
import io.vpccni.rpc.message.GcRequest;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.ReasonCode;
import io.vpccni.rpc.message.StatusOk;
import io.vpccni.rpc.message.StatusRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The plugin's requests answered by the real handler over a node on the in-memory EC2, its pool maintainer running
 * on its own thread as in the daemon (ticking only when woken here: its period is an hour). Node: t3.small.
 */
class IpamHandlerTest {

    private static final int MTU = 9001;

    @TempDir
    Path dir;

    private FakeNode node;
    private Thread maintainerLoop;

    @AfterEach
    void stopMaintainer() throws InterruptedException {
        if (maintainerLoop != null) {
            maintainerLoop.interrupt();
            maintainerLoop.join(5_000);
        }
    }

    /** The node with its maintainer running; returns once the maintainer's first tick is done. */
    private IpamHandler start(String subnetCidr, PoolTargets targets, Duration addWait) throws InterruptedException {
        node = new FakeNode("t3.small", subnetCidr, targets);
        return running(addWait);
    }

    private IpamHandler running(Duration addWait) throws InterruptedException {
        long ticks = node.maintainer.tickCount();
        startMaintainer();
        assertThat(node.maintainer.awaitTickAfter(ticks, Duration.ofSeconds(10))).isTrue();
        return handler(addWait);
    }

    private void startMaintainer() {
        maintainerLoop = Thread.ofPlatform().daemon().name("pool-maintainer-test")
                .start(() -> node.maintainer.runLoop(Duration.ofHours(1)));
    }

    private IpamHandler handler(Duration addWait) {
        return new IpamHandler(node.datastore, node.maintainer, checkpoint(), () -> true, MTU, addWait,
                RequestCounters.NONE);
    }

    private PoolCheckpoint checkpoint() {
        return new PoolCheckpoint(node.datastore, new JsonFileCheckpointStore(dir.resolve("ipam.json")));
    }

    private DatastoreSnapshot onDisk() {
        return checkpoint().read().orElseThrow();
    }

    private static AddRequest add(String containerId) {
        return new AddRequest("aws-cni", containerId, "eth0", "/var/run/netns/" + containerId, "default",
                "pod-" + containerId, "uid-" + containerId);
    }

    private static DelRequest del(String containerId) {
        return new DelRequest("aws-cni", containerId, "eth0", "default", "pod-" + containerId, "uid-" + containerId);
    }

    private static AddOk ok(IpamReply reply) {
        assertThat(reply).isInstanceOf(AddOk.class);
        return (AddOk) reply;
    }

    @Test
    void anAddOnTheWarmPrimaryEniIsAnsweredWithTheMainTableAndIsOnDiskBeforeTheReply() throws Exception {
        IpamHandler handler = start("10.20.4.0/24", PoolTargets.warmEni(1), Duration.ofSeconds(10));

        AddOk added = ok(handler.apply(add("c1")));

        Eni primary = node.ec2Enis().getFirst();
        assertThat(added.eniId()).isEqualTo(primary.id());
        assertThat(primary.secondaryIps()).contains(added.ipv4Address());
        assertThat(added.deviceNumber()).isZero();
        assertThat(added.routeTableId()).isEqualTo(AddOk.MAIN_TABLE);
        assertThat(added.podMtu()).isEqualTo(MTU);
        assertThat(added.eniSubnetCidr()).contains("10.20.4.0/24");
        assertThat(onDisk().allocations()).singleElement()
                .satisfies(a -> assertThat(a.ip().toString()).isEqualTo(added.ipv4Address()));
    }

    /**
     * An ADD that reaches the socket while the checkpoint is still being restored (the shim held it back through a
     * restart and the socket came up a moment before the daemon was ready) is served once the daemon is ready.
     */
    @Test
    void anAddArrivingBeforeTheRestoreEndsIsServedOnceReadyWithinTheAddWait() throws Exception {
        node = new FakeNode("t3.small", "10.20.4.0/24", PoolTargets.warmEni(1));
        running(Duration.ofSeconds(10));
        java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
        IpamHandler starting = new IpamHandler(node.datastore, node.maintainer, checkpoint(), ready::get, MTU,
                Duration.ofSeconds(10), RequestCounters.NONE);

        var reply = java.util.concurrent.CompletableFuture.supplyAsync(() -> starting.apply(add("c1")));
        Thread.sleep(300);
        assertThat(reply).as("held while the restore runs").isNotDone();
        ready.set(true);

        AddOk added = ok(reply.get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertThat(node.datastore.allocations()).singleElement()
                .satisfies(a -> assertThat(a.ip().toString()).isEqualTo(added.ipv4Address()));
    }

    @Test
    void anAddOnAnEmptyPoolWakesTheMaintainerAndGetsAnAddressOfTheEniItAttaches() throws Exception {
        IpamHandler handler = start("10.20.4.0/24", PoolTargets.warmEni(1), Duration.ofSeconds(10));
        for (int i = 0; i < 3; i++) {
            ok(handler.apply(add("warm" + i))); // the primary ENI's three addresses
        }

        AddOk added = ok(handler.apply(add("c1")));

        Eni second = node.ec2Enis().get(1);
        assertThat(added.eniId()).isEqualTo(second.id());
        assertThat(second.secondaryIps()).contains(added.ipv4Address());
        assertThat(added.deviceNumber()).isEqualTo(1);
        assertThat(added.routeTableId()).as("device N routes through table N+1").isEqualTo(2);
    }

    @Test
    void anAddIsIdempotentAndADelOfAnUnknownAttachmentSucceeds() throws Exception {
        IpamHandler handler = start("10.20.4.0/24", PoolTargets.warmEni(1), Duration.ofSeconds(10));

        AddOk first = ok(handler.apply(add("c1")));
        AddOk again = ok(handler.apply(add("c1")));

        assertThat(again.ipv4Address()).isEqualTo(first.ipv4Address());
        assertThat(node.datastore.allocations()).hasSize(1);
        assertThat(handler.apply(del("never-added"))).isEqualTo(DelOk.nothingReleased());
    }

    @Test
    void aDelReleasesTheAddressIntoCooldownAndIsOnDiskBeforeTheReply() throws Exception {
        IpamHandler handler = start("10.20.4.0/24", PoolTargets.warmEni(1), Duration.ofSeconds(10));
        AddOk added = ok(handler.apply(add("c1")));

        IpamReply reply = handler.apply(del("c1"));

        assertThat(reply).isInstanceOfSatisfying(DelOk.class, deleted -> assertThat(deleted.released())
                .hasValueSatisfying(r -> assertThat(r.ipv4Address()).isEqualTo(added.ipv4Address())));
        assertThat(onDisk().allocations()).isEmpty();
        assertThat(onDisk().cooling()).singleElement()
                .satisfies(c -> assertThat(c.ip().toString()).isEqualTo(added.ipv4Address()));
    }

    @Test
    void gcReleasesEveryAttachmentOfTheNetworkNotListedAsValid() throws Exception {
        IpamHandler handler = start("10.20.4.0/24", PoolTargets.warmEni(1), Duration.ofSeconds(10));
        ok(handler.apply(add("keep")));
        AddOk stale = ok(handler.apply(add("stale")));

        IpamReply reply = handler.apply(new GcRequest("aws-cni", List.of(new AttachmentKey("keep", "eth0"))));

        assertThat(reply).isInstanceOfSatisfying(GcOk.class, gc -> assertThat(gc.released()).singleElement()
                .satisfies(r -> assertThat(r.ipv4Address()).isEqualTo(stale.ipv4Address())));
        assertThat(onDisk().allocations()).extracting(a -> a.key().containerId()).containsExactly("keep");
    }

    @Test
    void anAddInAFullSubnetFailsAsSubnetExhaustedWithinItsWait() throws Exception {
        node = new FakeNode("t3.small", "10.20.4.0/28", PoolTargets.warmEni(1)); // 10 free after the primary
        node.ec2.createNetworkInterface(new CreateEni(node.subnetId, "other node", List.of(), 9, 0, Map.of()));
        IpamHandler handler = running(Duration.ofMillis(300));

        long ticksBefore = node.maintainer.tickCount();

        IpamReply reply = handler.apply(add("c1"));

        assertThat(node.maintainer.tickCount() - ticksBefore)
                .as("the tick that answered the add held (the subnet is full): it is not woken again")
                .isEqualTo(1);
        assertThat(reply).isInstanceOfSatisfying(Failure.class, failure -> {
            assertThat(failure.reason()).isEqualTo(ReasonCode.POOL_EMPTY_SUBNET_EXHAUSTED);
            assertThat(failure.message()).contains("InsufficientFreeAddressesInSubnet");
            assertThat(failure.retryable()).isFalse();
        });
        assertThat(handler.apply(new StatusRequest())).isInstanceOfSatisfying(StatusOk.class,
                status -> assertThat(status.ready()).isFalse());
    }

    @Test
    void anAddInAFullSubnetIsServedByAnAddressWhoseCooldownEndsWithinItsWait() throws Exception {
        node = new FakeNode("t3.small", "10.20.4.0/28", PoolTargets.warmEni(1)); // 10 free after the primary
        node.ec2.createNetworkInterface(new CreateEni(node.subnetId, "other node", List.of(), 6, 0, Map.of()));
        IpamHandler handler = running(Duration.ofSeconds(5));
        List<String> pods = new java.util.ArrayList<>();
        while (handler.apply(add("c" + pods.size())) instanceof AddOk) {
            pods.add("c" + pods.size());
        }
        assertThat(handler.apply(del(pods.getFirst()))).isInstanceOf(DelOk.class);
        long growCallsBefore = growCalls();
        // The freed address cools down on the node's clock; it moves on while the add waits.
        Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
                node.clock.advance(FakeNode.COOLDOWN.plusSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        assertThat(handler.apply(add("after"))).as("the add waits for the address in cooldown")
                .isInstanceOf(AddOk.class);
        assertThat(growCalls() - growCallsBefore).as("grow attempts while it waited").isLessThanOrEqualTo(1);
    }

    static Stream<Arguments> ec2Refusals() {
        return Stream.of(
                Arguments.of(Fault.unauthorized(), ReasonCode.POOL_EMPTY_PERMISSION_DENIED, "UnauthorizedOperation",
                        false),
                Arguments.of(Fault.throttled(), ReasonCode.POOL_EMPTY_THROTTLED, "RequestLimitExceeded", true),
                Arguments.of(Fault.internalError(), ReasonCode.POOL_EMPTY, "InternalError", true));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("ec2Refusals")
    void anAddThePoolCannotGrowForFailsWithTheReasonEc2Gave(Fault fault, ReasonCode reason, String code,
                                                          boolean retryable) throws Exception {
        node = new FakeNode("t3.small", "10.20.4.0/24", PoolTargets.warmEni(1));
        node.ec2.failNext("AssignPrivateIpAddresses", Integer.MAX_VALUE, fault);
        node.ec2.failNext("CreateNetworkInterface", Integer.MAX_VALUE, fault);
        IpamHandler handler = running(Duration.ofMillis(300));
        long growCallsBefore = growCalls();

        assertThat(handler.apply(add("c1"))).isInstanceOfSatisfying(Failure.class, failure -> {
            assertThat(failure.reason()).isEqualTo(reason);
            assertThat(failure.message()).contains(code);
            assertThat(failure.retryable()).isEqualTo(retryable);
        });
        assertThat(node.datastore.allocations()).isEmpty();
        assertThat(growCalls() - growCallsBefore).as("the add's one grow attempt").isEqualTo(1);
    }

    /** Calls that grow the pool, failed ones included. */
    private long growCalls() {
        return node.ec2.calls("AssignPrivateIpAddresses") + node.ec2.calls("CreateNetworkInterface");
    }

    @Test
    void aWaitingAddMakesOneGrowAttemptWhenEveryGrowFailsAndAnswersWithoutWaitingOutItsWait() throws Exception {
        node = new FakeNode("t3.small", "10.20.4.0/24", PoolTargets.warmEni(1));
        node.ec2.failNext("AssignPrivateIpAddresses", Integer.MAX_VALUE, Fault.unauthorized());
        node.ec2.failNext("CreateNetworkInterface", Integer.MAX_VALUE, Fault.unauthorized());
        // A wait long enough that an add which woke the maintainer after each failed tick would make thousands.
        IpamHandler handler = running(Duration.ofSeconds(20));
        long growCallsBefore = growCalls();
        long ticksBefore = node.maintainer.tickCount();

        for (int i = 0; i < 3; i++) {
            assertThat(handler.apply(add("c" + i))).isInstanceOfSatisfying(Failure.class,
                    failure -> assertThat(failure.reason()).isEqualTo(ReasonCode.POOL_EMPTY_PERMISSION_DENIED));
        }

        assertThat(growCalls() - growCallsBefore).as("one grow attempt per add").isEqualTo(3);
        assertThat(node.maintainer.tickCount() - ticksBefore).as("one tick per add").isEqualTo(3);
    }

    @Test
    void anAddWhoseGrowEc2ThrottledWaitsForTheNextPeriodsGrowInsteadOfFailing() throws Exception {
        node = new FakeNode("t3.small", "10.20.4.0/24", PoolTargets.warmEni(1));
        long ticks = node.maintainer.tickCount();
        // The daemon's loop ticks every period; a short one here, so that the next comes within the add's wait.
        maintainerLoop = Thread.ofPlatform().daemon().name("pool-maintainer-test")
                .start(() -> node.maintainer.runLoop(Duration.ofMillis(200)));
        assertThat(node.maintainer.awaitTickAfter(ticks, Duration.ofSeconds(10))).isTrue();
        IpamHandler handler = handler(Duration.ofSeconds(20));
        for (int i = 0; i < 3; i++) {
            ok(handler.apply(add("warm" + i))); // the primary ENI's three addresses
        }
        node.ec2.failNext("CreateNetworkInterface", 1, Fault.throttled());
        node.ec2.failNext("AssignPrivateIpAddresses", 1, Fault.throttled());
        long growCallsBefore = growCalls();

        AddOk added = ok(handler.apply(add("c1")));

        assertThat(growCalls() - growCallsBefore).as("the throttled grow, then the next period's").isGreaterThan(1);
        assertThat(node.datastore.allocations()).filteredOn(a -> a.key().containerId().equals("c1")).singleElement()
                .satisfies(a -> assertThat(a.ip().toString()).isEqualTo(added.ipv4Address()));
    }

    @Test
    void aWaitingAddGetsTheAddressOfAGrowThatTakesAWhile() throws Exception {
        IpamHandler handler = start("10.20.4.0/24", PoolTargets.warmEni(1), Duration.ofSeconds(10));
        for (int i = 0; i < 3; i++) {
            ok(handler.apply(add("warm" + i))); // the primary ENI's three addresses
        }
        node.ec2.delay("CreateNetworkInterface", Duration.ofMillis(300));
        node.ec2.delay("AttachNetworkInterface", Duration.ofMillis(300));

        AddOk added = ok(handler.apply(add("c1")));

        assertThat(added.eniId()).isEqualTo(node.ec2Enis().get(1).id());
        assertThat(node.ec2.calls("CreateNetworkInterface")).isEqualTo(1);
    }

    @Test
    void addsWaitingTogetherWakeTheMaintainerAgainWhenOthersTookWhatATickAdded() throws Exception {
        node = new FakeNode("t3.small", "10.20.4.0/24", PoolTargets.warmEni(1));
        node.tick(); // the primary ENI's three addresses
        IpamHandler handler = handler(Duration.ofSeconds(20));
        for (int i = 0; i < 3; i++) {
            ok(handler.apply(add("warm" + i)));
        }

        // Six adds wake the maintainer for the same tick, which attaches one ENI of three addresses: the three adds
        // it leaves empty-handed must wake it again for a second ENI (its period is an hour).
        Map<String, IpamReply> replies = new ConcurrentHashMap<>();
        List<Thread> adds = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String containerId = "c" + i;
            adds.add(Thread.ofPlatform().start(() -> replies.put(containerId, handler.apply(add(containerId)))));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!adds.stream().allMatch(t -> t.getState() == Thread.State.TIMED_WAITING)) {
            assertThat(System.nanoTime()).as("all six adds waiting for a tick").isLessThan(deadline);
            Thread.sleep(5);
        }
        startMaintainer();
        for (Thread add : adds) {
            add.join(Duration.ofSeconds(30));
        }

        assertThat(replies).hasSize(6).allSatisfy((id, reply) -> assertThat(reply).isInstanceOf(AddOk.class));
        assertThat(node.ec2Enis()).hasSize(3);
        assertThat(node.ec2.calls("CreateNetworkInterface")).isEqualTo(2);
    }

    @Test
    void aWaitingAddIsServedThroughThePrefixFallbackWhichIsNoGrowFailure() throws Exception {
        IpamHandler handler = start("10.20.4.0/24", PoolTargets.warmPrefix(1), Duration.ofSeconds(10));
        for (int i = 0; i < 16; i++) {
            ok(handler.apply(add("p" + i))); // the first /28
        }
        node.ec2.fragment(node.subnetId);
        long assignsBefore = node.ec2.calls("AssignPrivateIpAddresses");

        AddOk added = ok(handler.apply(add("c1")));

        assertThat(node.ec2Enis().getFirst().secondaryIps()).as("a /32, EC2 had no /28")
                .contains(added.ipv4Address());
        assertThat(node.ec2.calls("AssignPrivateIpAddresses") - assignsBefore)
                .as("the refused /28, then the /32s").isEqualTo(2);
    }

    @Test
    void anAddOnAFullNodeFailsAsEniLimit() throws Exception {
        IpamHandler handler = start("10.20.4.0/24", PoolTargets.warmEni(1), Duration.ofMillis(300));
        node.addPods("p", 9); // t3.small: 3 ENIs of 3 addresses

        assertThat(handler.apply(add("c10"))).isInstanceOfSatisfying(Failure.class, failure -> {
            assertThat(failure.reason()).isEqualTo(ReasonCode.POOL_EMPTY_ENI_LIMIT);
            assertThat(failure.message()).contains("every ENI the instance type allows is attached and full");
        });
        assertThat(handler.apply(new StatusRequest())).isInstanceOfSatisfying(StatusOk.class, status -> {
            assertThat(status.ready()).isFalse();
            assertThat(status.reason()).contains("ENI limit");
        });
    }
}
