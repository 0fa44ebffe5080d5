package io.vpccni.ipamd.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.error.Ec2Failure;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Why the pool failed to grow, as an add reports it: EC2's throttle is not the budget's deferral. */
class GrowBlockedTest {

    private static final Instant AT = Instant.parse("2026-12-07T12:00:00Z");

    @Test
    void aGrowTheAccountsBudgetDeferredIsNotReportedAsEc2Throttling() {
        assertThat(GrowBlocked.of(new Ec2Failure.Throttled("CreateNetworkInterface", "BudgetDeferred",
                "no CreateNetworkInterface token to spare for a warm-target top-up", null), AT).kind())
                .isEqualTo(GrowBlocked.Kind.BUDGET_DEFERRED);
        assertThat(GrowBlocked.of(new Ec2Failure.Throttled("CreateNetworkInterface", "RequestLimitExceeded",
                "Request limit exceeded.", null), AT).kind()).isEqualTo(GrowBlocked.Kind.THROTTLED);
    }
}
