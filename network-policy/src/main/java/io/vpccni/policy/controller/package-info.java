/**
 * The policy controller, for clusters without EKS's: watches NetworkPolicies, pods and namespaces once for the
 * cluster, resolves each policy ({@code policy.resolve}) and writes the PolicyEndpoints the node agents enforce; only
 * the replica holding the leader-election Lease writes. {@link io.vpccni.policy.controller.Main} is its entry point
 * (the image's {@code policy-controller} command); every API call it makes is in
 * {@link io.vpccni.policy.controller.ControllerPermissions}.
 *
 * <p>I/O: the Kubernetes API through fabric8's client. {@link io.vpccni.policy.controller.EndpointPlan} (what to
 * write) is pure. Used by nothing else but its tests and the deploy module's tests (the permissions).
 */
package io.vpccni.policy.controller;
