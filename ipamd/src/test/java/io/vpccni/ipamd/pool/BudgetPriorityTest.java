package io.vpccni.ipamd.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpccni.eni.guard.CallBudget;
import io.vpccni.ipamd.warmpool.PodDemand;
import io.vpccni.ipamd.warmpool.PoolCounts;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whom a tick's EC2 calls serve when the account's tokens are scarce: pods before the static warm targets. */
class BudgetPriorityTest {

    private static PoolCounts pool(int total, int assigned, int cooling) {
        return new PoolCounts(total, assigned, cooling, 0, 0);
    }

    @Test
    void aPoolWithAFreeAddressGrowingForItsWarmTargetIsATopUp() {
        assertThat(BudgetPriority.of(pool(15, 10, 0), PodDemand.NONE)).isEqualTo(CallBudget.Priority.TOP_UP);
        assertThat(BudgetPriority.of(pool(15, 14, 0), new PodDemand(1, 0, 1, Optional.empty())))
                .as("a bound pod the free address covers asks nothing more").isEqualTo(CallBudget.Priority.TOP_UP);
    }

    @Test
    void aPoolWithNoFreeAddressServesAnAddWaitingOrAboutTo() {
        assertThat(BudgetPriority.of(pool(15, 15, 0), PodDemand.NONE)).isEqualTo(CallBudget.Priority.DEMAND);
        assertThat(BudgetPriority.of(pool(15, 12, 3), PodDemand.NONE)).as("cooling addresses are not free")
                .isEqualTo(CallBudget.Priority.DEMAND);
        assertThat(BudgetPriority.of(pool(0, 0, 0), PodDemand.NONE)).as("a node starting")
                .isEqualTo(CallBudget.Priority.DEMAND);
    }

    @Test
    void podsBoundBeyondTheFreeAddressesAreDemandEvenWhileSomeAreFree() {
        assertThat(BudgetPriority.of(pool(15, 10, 0), new PodDemand(12, 7, 12, Optional.empty())))
                .isEqualTo(CallBudget.Priority.DEMAND);
    }
}
