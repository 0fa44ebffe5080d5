package io.vpccni.ipamd.pool;

import io.vpccni.eni.error.Ec2Failure;
import java.time.Instant;

/** Why the pool last failed to grow: what an add that finds no free address reports. */
public record GrowBlocked(Kind kind, String message, Instant at) {

    /**
     * NO_PLACEMENT: custom networking has no usable ENIConfig, so no ENI may be created. BUDGET_DEFERRED: the
     * account's EC2 budget (VPC_CNI_EC2_BUDGET_LEASES) had no token for the grow in time, so it was not sent; EC2
     * did not throttle it.
     */
    public enum Kind {
        SUBNET_FULL, ENI_LIMIT, THROTTLED, BUDGET_DEFERRED, PERMISSION_DENIED, EC2_UNAVAILABLE, NO_PLACEMENT, OTHER
    }

    /**
     * Whether an add waiting for the pool should stop waiting and answer with this reason. Not when EC2 refused only
     * for now (throttled after the guard's retries, or unreachable): the maintainer's next period (5 s) asks again,
     * within an add's wait, and answering at once sent the pod to kubelet's back-off (10 s or more) for a refusal the
     * next tick may not meet. The 500-node fleet measured it: BENCHMARKS.md, "Fleet: the bound regrouped, first
     * come first served, and an add that waits out a throttle". The other kinds hold until something changes that an add cannot wait for: a subnet, a limit, a
     * permission, an ENIConfig, or the account's budget, whose next token for the grow is further away than any
     * add's wait ({@link Kind#BUDGET_DEFERRED}).
     */
    public boolean endsWaitingAdds() {
        return kind != Kind.THROTTLED && kind != Kind.EC2_UNAVAILABLE;
    }

    static GrowBlocked of(Ec2Failure failure, Instant at) {
        Kind kind = switch (failure) {
            case Ec2Failure.SubnetFull f -> Kind.SUBNET_FULL;
            case Ec2Failure.LimitExceeded f -> Kind.ENI_LIMIT;
            case Ec2Failure.Throttled f when "BudgetDeferred".equals(f.errorCode()) -> Kind.BUDGET_DEFERRED;
            case Ec2Failure.Throttled f -> Kind.THROTTLED;
            case Ec2Failure.PermissionDenied f -> Kind.PERMISSION_DENIED;
            case Ec2Failure.Unavailable f -> Kind.EC2_UNAVAILABLE;
            case Ec2Failure.NotFound f -> Kind.OTHER;
            case Ec2Failure.Other f -> Kind.OTHER;
        };
        return new GrowBlocked(kind, failure.getMessage(), at);
    }
}
