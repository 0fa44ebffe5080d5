/**
 * The pool maintainer: {@code PoolMaintainer} runs the pure {@code warmpool} policy on the datastore's numbers every
 * tick and when an add finds the pool empty, and carries the plan out through eni-manager. {@code NodeEnis} is the
 * node's view of its ENIs in EC2's terms; {@code EniPlacement} chooses the subnet and security groups of a new ENI;
 * {@code GrowBlocked} is why the pool last failed to grow; {@code BudgetPriority} whom a tick's EC2 calls serve when the
 * account's budget is scarce (pure); {@code BoundPods} is what it reads each tick of pods coming
 * (WARM_POOL_FOR_BOUND_PODS).
 *
 * <p>I/O through its collaborators: EC2 ({@code EniManager}), host networking ({@code EniNetworking}), events. Its
 * {@code runLoop} runs on a thread the daemon starts. Rules and examples: docs/warm-pool.md.
 *
 * <p>Used by {@code ipamd.app}, {@code introspect}, {@code k8s}, {@code reconcile} and {@code rpc}.
 */
package io.vpccni.ipamd.pool;
