/**
 * ipamd's link to the Kubernetes API (fabric8): the node's taints and ENIConfig choice, ENIConfigs for custom
 * networking, pods on the node (a lost DEL's address is released; with WARM_POOL_FOR_BOUND_PODS, those bound and not
 * yet added are counted by the pure {@code PodsAwaitingAdd} and their binding wakes the pool), node events and pod
 * annotations; with VPC_CNI_EC2_BUDGET_LEASES, the account's EC2 budget shared through Leases ({@code LeaseShardStore},
 * the store of {@code eni.guard.ShardedBudget}).
 * {@code ClusterLink} is the port the daemon sees ({@code NONE} without a cluster); {@code RequiredPermissions} lists
 * every API call, and deploy's ClusterRole is checked against it.
 *
 * <p>I/O: the API server, through informers that keep retrying. The only package that imports fabric8's client.
 *
 * <p>Used by {@code ipamd.app}.
 */
package io.vpccni.ipamd.k8s;
