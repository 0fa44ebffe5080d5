package io.vpccni.ipamd.warmpool;

import java.util.List;

/**
 * One tick's decision, in upstream's order: at most one grow or one shrink (possibly one release per ENI),
 * then at most one {@link PoolAction.FreeEni}. A plan with nothing to do is a single {@link PoolAction.Hold}.
 * {@code counts} are the numbers the decision was made on, for logs and metrics.
 */
public record PoolPlan(List<PoolAction> actions, PoolCounts counts) {
    public PoolPlan {
        actions = List.copyOf(actions);
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("a plan holds at least one action (Hold when idle)");
        }
    }

    public boolean isHold() {
        return actions.size() == 1 && actions.getFirst() instanceof PoolAction.Hold;
    }

    /** True when the plan gives IPs or prefixes back, so the caller can record the shrink time. */
    public boolean shrinks() {
        return actions.stream().anyMatch(a -> a instanceof PoolAction.ReleaseIps || a instanceof PoolAction.ReleasePrefixes);
    }
}
