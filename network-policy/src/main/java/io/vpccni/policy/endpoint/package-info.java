/**
 * The PolicyEndpoint resource ({@code networking.k8s.aws/v1alpha1}, namespaced), exactly as
 * amazon-network-policy-controller-k8s defines it: a NetworkPolicy resolved to addresses. Its controller writes
 * them and the node agent enforces them, so a cluster moving between aws-node and vpc-cni-java keeps its objects,
 * and on EKS our agent enforces what the managed controller writes (docs/network-policy.md).
 *
 * <p>Pure: records, their codec to and from the JSON-shaped maps the Kubernetes client reads and writes, and the
 * labels our controller puts on the objects ({@link io.vpccni.policy.endpoint.PolicyEndpointLabels}); no I/O.
 * Used by the controller ({@code policy.controller}), the agent ({@code policy.agent}) and their tests.
 */
package io.vpccni.policy.endpoint;
