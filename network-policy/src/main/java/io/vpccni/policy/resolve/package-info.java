/**
 * NetworkPolicy resolution: a NetworkPolicy and a snapshot of the cluster's pods and namespaces
 * ({@link io.vpccni.policy.resolve.ClusterState}) to the PolicyEndpoints that enforce it, one per node with selected
 * pods ({@link io.vpccni.policy.resolve.PolicyResolver}), or the reason it cannot be resolved. The semantics are
 * Kubernetes' NetworkPolicy v1 (docs/network-policy.md, "The controller").
 *
 * <p>Pure: reads fabric8's model types (plain values), never its client; no I/O, no clock, no threads. Used by the
 * controller ({@code policy.controller}) and tested on a table of cases without an API server.
 */
package io.vpccni.policy.resolve;
