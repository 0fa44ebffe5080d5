/**
 * The node agent's link to the API server (fabric8): the PolicyEndpoint informer (this node's label, or all with
 * NETWORK_POLICY_ENDPOINT_SOURCE=all), events on PolicyEndpoints that cannot be enforced, and
 * {@code AgentPermissions}, the RBAC the node's ClusterRole needs for them.
 *
 * <p>I/O: the API server. The only package of the agent that imports fabric8. Used by ipamd ({@code ipamd.policy}).
 */
package io.vpccni.policy.agent.k8s;
