/**
 * The warm-pool policy, a pure function: {@code PoolPolicy.evaluate(PoolState, PoolTargets)} returns a
 * {@code PoolPlan} of {@code PoolAction}s (grow, release, free an ENI, or hold with a reason), with aws-vpc-cni's
 * formulas ({@code PoolMath}) and our deliberate differences; {@code PodDemand} turns pods bound and not yet added into
 * growth, within the node's limits and the subnet's free addresses. Rules, worked examples and tests: docs/warm-pool.md.
 *
 * <p>Pure: no I/O, no clock of its own (time comes in the state), no threads.
 *
 * <p>Used by {@code ipamd.pool} (which carries the plan out), {@code ipamd.app}, {@code introspect} and {@code k8s}.
 * Depends on {@code datastore} and {@code config} only; keep it free of I/O.
 */
package io.vpccni.ipamd.warmpool;
