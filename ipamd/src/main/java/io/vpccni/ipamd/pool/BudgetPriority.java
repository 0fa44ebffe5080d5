package io.vpccni.ipamd.pool;

import io.vpccni.eni.guard.CallBudget;
import io.vpccni.ipamd.warmpool.PodDemand;
import io.vpccni.ipamd.warmpool.PoolCounts;

/**
 * Whom a tick's EC2 calls serve, for the account's budget when tokens are scarce (VPC_CNI_EC2_BUDGET_LEASES): pods
 * first. A pool with no free address has an ADD waiting or about to (one that finds none wakes the maintainer),
 * and pods bound to the node beyond its free addresses are ADDs on their way (WARM_POOL_FOR_BOUND_PODS): their calls
 * may queue for the account's next tokens. A pool that still has a free address and grows to meet the static warm
 * targets takes only tokens the budget has now; deferred, it asks again next tick, when it may be demand. Pure.
 */
final class BudgetPriority {

    private BudgetPriority() {}

    static CallBudget.Priority of(PoolCounts counts, PodDemand demand) {
        return counts.available() <= 0 || demand.growFor() > 0 ? CallBudget.Priority.DEMAND
                : CallBudget.Priority.TOP_UP;
    }
}
