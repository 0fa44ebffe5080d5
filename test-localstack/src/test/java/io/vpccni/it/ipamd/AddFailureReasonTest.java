package io.vpccni.it.ipamd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.it.faults.Fault;
import io.vpccni.rpc.message.AddRequest;
import io.vpccni.rpc.message.Failure;
import io.vpccni.rpc.message.IpamReply;
import io.vpccni.rpc.message.ReasonCode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When the pool is empty and cannot grow, an add waits a bounded time (VPC_CNI_ADD_WAIT) and then fails with the
 * reason EC2 gave, never just "failed to assign an IP address". Faults are injected so that every pool-growing call
 * fails the same way at once: a missing IAM permission is something the emulator cannot produce, and an exhausted
 * subnet from load is SubnetExhaustionTest's subject.
 */
class AddFailureReasonTest {

    private static final Map<String, String> EMPTY_POOL = Map.of("WARM_IP_TARGET", "1", "VPC_CNI_ADD_WAIT", "1s");

    @Test
    void anExhaustedSubnetIsReportedAsSuch() throws Exception {
        assertThat(addOnStarvedNode(Fault.SUBNET_FULL)).satisfies(failure -> {
            assertThat(failure.reason()).isEqualTo(ReasonCode.POOL_EMPTY_SUBNET_EXHAUSTED);
            assertThat(failure.message()).contains("subnet is out of addresses", "InsufficientFreeAddressesInSubnet");
            assertThat(failure.retryable()).isFalse();
        });
    }

    @Test
    void aMissingIamPermissionIsReportedAsSuch() throws Exception {
        assertThat(addOnStarvedNode(Fault.UNAUTHORIZED)).satisfies(failure -> {
            assertThat(failure.reason()).isEqualTo(ReasonCode.POOL_EMPTY_PERMISSION_DENIED);
            assertThat(failure.message()).contains("IAM", "UnauthorizedOperation");
        });
    }

    @Test
    void throttlingIsReportedAsRetryable() throws Exception {
        assertThat(addOnStarvedNode(Fault.THROTTLED)).satisfies(failure -> {
            assertThat(failure.reason()).isEqualTo(ReasonCode.POOL_EMPTY_THROTTLED);
            assertThat(failure.message()).contains("throttling", "RequestLimitExceeded");
            assertThat(failure.retryable()).isTrue();
            assertThat(failure.cniCode()).isEqualTo(11);
        });
    }

    /** A node whose every pool-growing call fails with the fault: the first add finds the pool empty. */
    private static Failure addOnStarvedNode(Fault fault) throws Exception {
        try (SimulatedNode node = new SimulatedNode("m5.large", EMPTY_POOL)) {
            node.faults.failNext("AssignPrivateIpAddresses", 10_000, fault);
            node.faults.failNext("CreateNetworkInterface", 10_000, fault);
            node.start();
            node.tick();
            IpamReply reply = node.client().call(new AddRequest("aws-cni", "starved", "eth0", "/var/run/netns/x",
                    "default", "starved", ""));
            assertThat(reply).isInstanceOf(Failure.class);
            assertThat(node.daemon.view().poolStats().total()).isZero();
            return (Failure) reply;
        }
    }
}
