package io.vpccni.ipamd.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.ipamd.datastore.AssignResult;
import io.vpccni.ipamd.testing.FakeNode;
import io.vpccni.ipamd.warmpool.PoolTargets;
import org.junit.jupiter.api.Test;

/**
 * WARM_POOL_FOR_BOUND_PODS on the in-memory EC2: pods bound to the node are given addresses' worth of pool before
 * their ADDs come. t3.small: 3 ENIs of 3 secondary IPs.
 */
class PoolMaintainerBoundPodsTest {

    @Test
    void podsBoundBeforeTheirAddsFindTheirAddressesWithALoweredWarmTarget() {
        FakeNode node = new FakeNode("t3.small", "10.20.1.0/24", PoolTargets.warmEni(0));
        node.settle();
        assertThat(node.datastore.stats().total()).as("WENI=0 on an empty node: the primary's 3").isEqualTo(3);

        node.boundNotAdded = 5;
        node.tick();
        assertThat(node.maintainer.lastDemand().growFor()).as("5 coming, 3 free").isEqualTo(2);
        node.settle();

        assertThat(node.datastore.stats().total()).as("a second ENI before any ADD").isEqualTo(6);
        for (int i = 0; i < 5; i++) {
            assertThat(node.assign("c" + i)).as("ADD " + i + " without waiting")
                    .isInstanceOf(AssignResult.Assigned.class);
        }
        node.boundNotAdded = 0;
        assertThat(node.tick().isHold()).as("added: F = 1 is not WENI=0's low").isTrue();
    }

    @Test
    void withoutPodsComingTheSameNodeWaitsForTheAddThatFindsThePoolEmpty() {
        FakeNode node = new FakeNode("t3.small", "10.20.1.0/24", PoolTargets.warmEni(0));
        node.settle();

        node.boundNotAdded = 0;
        node.settle();
        assertThat(node.datastore.stats().total()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(node.assign("c" + i)).isInstanceOf(AssignResult.Assigned.class);
        }
        assertThat(node.assign("c3")).as("the fourth ADD finds nothing: it would wait for a tick and an ENI")
                .isInstanceOf(AssignResult.NoFreeAddress.class);
    }
}
