package io.vpccni.it.eni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.eni.error.Ec2Failure;
import io.vpccni.eni.lifecycle.EniManager;
import io.vpccni.eni.lifecycle.EniManagerSettings;
import io.vpccni.eni.lifecycle.NewEni;
import io.vpccni.eni.model.Eni;
import io.vpccni.eni.port.Ec2Api.EniQuery;
import io.vpccni.it.faults.Fault;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * EC2 failures injected with an SDK interceptor, for the failures the emulator cannot produce on cue (5xx, a missing
 * IAM permission, time-outs; throttling and exhaustion it produces from load, see ThrottledEc2Test and
 * SubnetExhaustionTest): retried when retrying helps, reported as their kind at once when it does not.
 */
class FaultInjectionTest {

    private final Node node = new Node();
    private final EniManager manager = node.manager(EniManagerSettings.defaults());

    @AfterEach
    void tearDown() {
        node.close();
    }

    @Test
    void retriesABurstOfThrottlingAndThenSucceeds() {
        Eni eni = manager.createAndAttach(NewEni.withIps(node.subnetId, List.of(), 1), Set.of(0));
        node.faults.failNext("AssignPrivateIpAddresses", 3, Fault.THROTTLED);

        Eni filled = manager.assignIps(eni, 2);

        assertThat(filled.secondaryIps()).hasSize(3);
        assertThat(node.stats.calls("AssignPrivateIpAddresses")).isEqualTo(4);
        assertThat(node.stats.errors()).containsEntry("AssignPrivateIpAddresses/RequestLimitExceeded", 3L);
    }

    @Test
    void retriesServerErrorsAndThenSucceeds() {
        node.faults.failNext("CreateNetworkInterface", 2, Fault.INTERNAL_ERROR);

        Eni eni = manager.createAndAttach(NewEni.withIps(node.subnetId, List.of(), 1), Set.of(0));

        assertThat(eni.isAttached()).isTrue();
        assertThat(node.stats.calls("CreateNetworkInterface")).isEqualTo(3);
        assertThat(node.stats.errors()).containsEntry("CreateNetworkInterface/InternalError", 2L);
    }

    @Test
    void givesUpOnEndlessThrottlingAsThrottledAfterTheAttemptBudget() {
        node.faults.failNext("DescribeNetworkInterfaces", 100, Fault.THROTTLED);

        assertThatThrownBy(manager::nodeEnis).isInstanceOf(Ec2Failure.Throttled.class)
                .hasMessageContaining("RequestLimitExceeded");
        assertThat(node.stats.calls("DescribeNetworkInterfaces")).isEqualTo(6);
    }

    @Test
    void opensTheCircuitAfterPersistentThrottlingAndStillReportsThrottling() {
        node.faults.failNext("DescribeNetworkInterfaces", 1_000, Fault.THROTTLED);
        for (int i = 0; i < 4; i++) { // 4 calls x 6 attempts fill the breaker's window of 20
            assertThatThrownBy(manager::nodeEnis).isInstanceOf(Ec2Failure.Throttled.class);
        }
        long requests = node.stats.calls("DescribeNetworkInterfaces");

        assertThatThrownBy(manager::nodeEnis).isInstanceOfSatisfying(Ec2Failure.Throttled.class, failure -> {
            assertThat(failure.errorCode()).isEqualTo("CircuitOpen");
            assertThat(failure.getMessage()).contains("(last: RequestLimitExceeded)");
        });
        assertThat(node.stats.calls("DescribeNetworkInterfaces")).isEqualTo(requests);
    }

    @Test
    void reportsSubnetExhaustionAtOnceWithoutRetrying() {
        node.faults.failNext("CreateNetworkInterface", 1, Fault.SUBNET_FULL);

        assertThatThrownBy(() -> manager.createAndAttach(NewEni.withIps(node.subnetId, List.of(), 1), Set.of(0)))
                .isInstanceOf(Ec2Failure.SubnetFull.class)
                .hasMessageContaining("InsufficientFreeAddressesInSubnet");
        assertThat(node.stats.calls("CreateNetworkInterface")).isEqualTo(1);
    }

    @Test
    void reportsAMissingPermissionAtOnceWithoutRetrying() {
        Eni eni = manager.createAndAttach(NewEni.withIps(node.subnetId, List.of(), 1), Set.of(0));
        node.faults.failNext("AssignPrivateIpAddresses", 1, Fault.UNAUTHORIZED);

        assertThatThrownBy(() -> manager.assignIps(eni, 1))
                .isInstanceOf(Ec2Failure.PermissionDenied.class)
                .hasMessageContaining("UnauthorizedOperation");
        assertThat(node.stats.calls("AssignPrivateIpAddresses")).isEqualTo(1);
    }

    @Test
    void aFailedAttachLeavesNoEniBehind() {
        node.faults.failNext("AttachNetworkInterface", 1, Fault.ATTACHMENT_LIMIT);

        assertThatThrownBy(() -> manager.createAndAttach(NewEni.withIps(node.subnetId, List.of(), 2), Set.of(0)))
                .isInstanceOf(Ec2Failure.LimitExceeded.class);

        assertThat(node.stats.calls("DeleteNetworkInterface")).isEqualTo(1);
        assertThat(node.ec2.describeNetworkInterfaces(new EniQuery(List.of(), Optional.empty(), Optional.empty(),
                Map.of(Eni.INSTANCE_ID_TAG, node.instance.instanceId()), List.of()))).isEmpty();
    }
}
