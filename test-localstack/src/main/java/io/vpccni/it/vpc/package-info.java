/**
 * VPC in a box (docs/testing.md, "VPC in a box"): a fabric namespace standing in for the VPC router ({@code Fabric},
 * {@code FabricPlan}, {@code FabricReconciler}), nodes in namespaces with their own instance metadata and the real
 * ipamd ({@code SimulatedNodeNs}, {@code IpamdProcess}), pods wired by the real plugin ({@code CniRuntime},
 * {@code PodNs}), relays that never move a thread into a namespace ({@code EndpointProxy}, {@code PeerEcho}), and
 * {@code Demo}, {@code ./vpc-cni demo}.
 *
 * <p>I/O: namespaces, processes, sockets, the emulator; needs root. Never touches the root namespace's links, routes,
 * rules or iptables.
 *
 * <p>Used by test-localstack's tests ({@code it.vpc}, {@code it.ipamd}) and by {@code ./vpc-cni demo}. Test code only.
 */
package io.vpccni.it.vpc;
