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
