package io.vpccni.ipamd.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.fake.Fault;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.port.Ec2Api.CreateEni;
import io.vpccni.eni.port.Ec2Api.EniQuery;
import io.vpccni.ipamd.datastore.AssignResult;
import io.vpccni.ipamd.testing.FakeNode;
import io.vpccni.ipamd.warmpool.NodeCondition;
import io.vpccni.ipamd.warmpool.PoolAction;
import io.vpccni.ipamd.warmpool.PoolPlan;
import io.vpccni.ipamd.warmpool.PoolTargets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The pool maintainer carrying the warm-pool policy out on the in-memory EC2: what EC2 holds for the node and
 * what the datastore hands out must agree after every tick, and failures must be recorded as the reason an add
 * reports. Instance figures are t3.small's (3 ENIs, 3 secondary slots each) and m5.large's (3, 9).
 */
class PoolMaintainerTest {

    private static final String SUBNET = "10.20.1.0/24";

    @Test
    void anEmptyNodeGrowsToWarmEniTargetAndThenMakesNoMoreEc2Calls() {
        FakeNode node = new FakeNode("t3.small", SUBNET, PoolTargets.warmEni(1));

        node.settle();

        assertThat(node.ec2Enis()).singleElement().satisfies(primary -> assertThat(primary.secondaryIps()).hasSize(3));
        assertThat(node.datastoreCidrs()).isEqualTo(node.ec2Cidrs()).hasSize(3);
        long calls = node.ec2.totalCalls();
        for (int i = 0; i < 5; i++) {
            assertThat(node.tick().isHold()).isTrue();
        }
        assertThat(node.ec2.totalCalls()).as("a settled pool asks EC2 nothing").isEqualTo(calls);
    }

    @Test
    void podsPastTheWarmTargetAttachMoreEnisUntilTheInstanceTypesLimit() {
        FakeNode node = new FakeNode("t3.small", SUBNET, PoolTargets.warmEni(1));

        node.addPods("p", 5);
        node.settle();

        // docs/warm-pool.md 7.3 (aws-vpc-cni's table 2.1): t3.small, WARM_ENI_TARGET=1, 5 pods -> 3 ENIs with 3 IPs
        // each.
        assertThat(node.ec2Enis()).extracting(Eni::deviceIndex).containsExactly(0, 1, 2);
        assertThat(node.ec2Enis()).allSatisfy(eni -> assertThat(eni.secondaryIps()).hasSize(3));
        assertThat(node.datastoreCidrs()).isEqualTo(node.ec2Cidrs());
        assertThat(node.datastore.allocations()).extracting(a -> a.ip().toString()).doesNotHaveDuplicates();

        node.addPods("q", 4);
        assertThat(node.assign("r0")).isInstanceOf(AssignResult.NoFreeAddress.class);
        assertThat(node.maintainer.atCapacity()).isTrue();
        long creates = node.ec2.calls("CreateNetworkInterface");
        node.settle();
        assertThat(node.ec2.calls("CreateNetworkInterface")).as("no ENI past the limit is asked for")
                .isEqualTo(creates);
    }

    @Test
    void prefixModeGrowsByWholeAlignedPrefixesToWarmPrefixTarget() {
        FakeNode node = new FakeNode("m5.large", SUBNET, PoolTargets.warmPrefix(1));

        node.settle();
        assertThat(node.ec2Enis()).singleElement().satisfies(primary -> {
            assertThat(primary.prefixes()).hasSize(1);
            assertThat(primary.secondaryIps()).isEmpty();
        });
        assertThat(node.datastore.stats().total()).isEqualTo(16);

        node.addPods("p", 5);
        node.settle();
        // docs/warm-pool.md 7.4 (aws-vpc-cni's table 2.2): 5 pods take part of the first prefix; a whole second one
        // stays warm.
        assertThat(node.ec2Enis().getFirst().prefixes()).hasSize(2);
        assertThat(node.datastoreCidrs()).isEqualTo(node.ec2Cidrs()).allMatch(cidr -> cidr.endsWith("/28"));

        node.addPods("q", 12);
        node.settle();
        // 17 pods leave 15 of 32 addresses free, less than a whole prefix: a third one is warm. (Max pods in prefix
        // mode is the calculator's, 250 for an m5.large, as the daemon wires it; not eni-max-pods' 29.)
        assertThat(node.ec2Enis().getFirst().prefixes()).hasSize(3);
        assertThat(node.datastore.stats().total()).isEqualTo(48);
    }

    @Test
    void releasedAddressesGoBackToEc2AfterTheirCooldownAndSpareEnisAreFreed() {
        FakeNode node = new FakeNode("t3.small", SUBNET, PoolTargets.warmIp(2, 0));
        node.addPods("p", 6);
        node.settle();
        assertThat(node.ec2Enis()).hasSize(3);
        assertThat(node.datastore.stats().total()).isEqualTo(8);

        for (int i = 0; i < 6; i++) {
            node.release("p" + i);
        }
        node.settle();
        assertThat(node.ec2Cidrs()).as("cooling addresses are not given back").hasSize(8);

        node.clock.advance(FakeNode.COOLDOWN.plusSeconds(1));
        for (int i = 0; i < 10; i++) {
            node.settle();
            node.clock.advance(Duration.ofSeconds(31)); // past the shrink interval and, in the end, the ENIs' age
        }

        assertThat(node.datastore.stats().total()).isEqualTo(2);
        assertThat(node.datastoreCidrs()).isEqualTo(node.ec2Cidrs());
        assertThat(node.ec2Enis()).as("spare ENIs detached and deleted").hasSize(1);
        assertThat(node.ec2.describeNetworkInterfaces(
                EniQuery.byIds(List.of()))).as("nothing left behind in EC2").hasSize(1);
    }

    @Test
    void aSpareEniWhoseDetachIsThrottledStaysTheNodesAndIsFreedOnALaterTick() {
        FakeNode node = new FakeNode("t3.small", SUBNET, PoolTargets.warmIp(2, 0));
        node.addPods("p", 6);
        node.settle();
        assertThat(node.ec2Enis()).hasSize(3);
        for (int i = 0; i < 6; i++) {
            node.release("p" + i);
        }
        node.clock.advance(FakeNode.COOLDOWN.plusSeconds(1));
        node.ec2.failNext("DetachNetworkInterface", 2, Fault.throttled());

        for (int i = 0; i < 10; i++) {
            node.settle();
            node.clock.advance(Duration.ofSeconds(31));
            // Whatever a tick did, EC2, the node's ENIs and the datastore agree, and a sync goes through.
            node.syncWithEc2();
            assertThat(node.datastoreCidrs()).isEqualTo(node.ec2Cidrs());
            List<String> inEc2 = node.ec2Enis().stream().map(e -> e.id()).toList();
            assertThat(node.enis.all().stream().map(e -> e.id()).toList()).containsExactlyInAnyOrderElementsOf(inEc2);
            assertThat(node.datastore.stats().enis().stream().map(e -> e.eni().eniId()).toList())
                    .as("the datastore's ENIs").containsExactlyInAnyOrderElementsOf(inEc2);
        }

        assertThat(node.ec2.calls("DetachNetworkInterface")).as("two throttled detaches, then two that went")
                .isEqualTo(4);
        assertThat(node.ec2Enis()).as("spare ENIs freed in the end").hasSize(1);
        assertThat(node.ec2.describeNetworkInterfaces(EniQuery.byIds(List.of()))).hasSize(1);
    }

    @Test
    void aFullSubnetIsRecordedAndGrowthPausesUntilTheBackoffHasPassed() {
        FakeNode node = new FakeNode("t3.small", "10.20.1.0/28", PoolTargets.warmEni(1)); // 11 usable addresses
        node.settle();
        // Another node takes the subnet's last seven free addresses.
        Eni other = node.ec2.createNetworkInterface(new CreateEni(node.subnetId, "other node", List.of(), 6, 0,
                Map.of()));
        node.addPods("p", 3);

        node.tick();

        assertThat(node.maintainer.lastGrowFailure()).hasValueSatisfying(blocked -> {
            assertThat(blocked.kind()).isEqualTo(GrowBlocked.Kind.SUBNET_FULL);
            assertThat(blocked.message()).contains("InsufficientFreeAddressesInSubnet");
        });
        long creates = node.ec2.calls("CreateNetworkInterface");
        node.clock.advance(Duration.ofSeconds(60));
        PoolPlan held = node.tick();
        assertThat(held.isHold()).isTrue();
        assertThat(((PoolAction.Hold) held.actions().getFirst()).reason()).contains("insufficient addresses");
        assertThat(node.ec2.calls("CreateNetworkInterface")).isEqualTo(creates);

        node.ec2.deleteNetworkInterface(other.id());
        node.clock.advance(Duration.ofSeconds(61));
        node.settle();
        assertThat(node.ec2Enis()).hasSize(2);
        assertThat(node.maintainer.lastGrowFailure()).isEmpty();
    }

    @Test
    void anAttachRefusedForTheEniLimitIsRecordedAsEniLimitAndLeavesNoEniBehind() {
        FakeNode node = new FakeNode("t3.small", SUBNET, PoolTargets.warmEni(1));
        node.settle();
        // Someone attaches two ENIs behind ipamd's back, before its next ENI sync: the instance is at its limit.
        for (int device : List.of(2, 3)) {
            Eni foreign = node.ec2.createNetworkInterface(new CreateEni(node.subnetId, "foreign", List.of(), 0, 0,
                    Map.of()));
            node.ec2.attachNetworkInterface(foreign.id(), node.instanceId, device);
        }
        node.addPods("p", 3);

        node.tick();

        assertThat(node.maintainer.lastGrowFailure()).hasValueSatisfying(blocked -> {
            assertThat(blocked.kind()).isEqualTo(GrowBlocked.Kind.ENI_LIMIT);
            assertThat(blocked.message()).contains("AttachmentLimitExceeded");
        });
        assertThat(node.ec2.describeNetworkInterfaces(new EniQuery(List.of(),
                Optional.empty(), Optional.of("available"), Map.of(), List.of())))
                .as("the ENI created for the refused attach is deleted again").isEmpty();
        assertThat(node.enis.all()).hasSize(1);
    }

    @Test
    void aThrottledGrowIsRecordedAndTheNextTickGrows() {
        FakeNode node = new FakeNode("m5.large", SUBNET, PoolTargets.warmIp(3, 0));
        node.ec2.failNext("AssignPrivateIpAddresses", 1, Fault.throttled());

        node.tick();
        assertThat(node.maintainer.lastGrowFailure()).hasValueSatisfying(
                blocked -> assertThat(blocked.kind()).isEqualTo(GrowBlocked.Kind.THROTTLED));
        assertThat(node.datastore.stats().total()).isZero();

        node.settle();
        assertThat(node.datastore.stats().total()).isEqualTo(3);
        assertThat(node.maintainer.lastGrowFailure()).isEmpty();
    }

    @Test
    void anUnschedulableNodeDoesNotGrow() {
        FakeNode node = new FakeNode("m5.large", SUBNET, PoolTargets.warmIp(3, 0));
        node.setCondition(NodeCondition.UNSCHEDULABLE);

        assertThat(node.tick().isHold()).isTrue();
        assertThat(node.ec2.calls("AssignPrivateIpAddresses")).isZero();
        assertThat(node.datastore.stats().total()).isZero();
    }
}
