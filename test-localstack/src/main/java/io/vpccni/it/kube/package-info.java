/**
 * Kubernetes in the box (README, "Kubernetes in the box"): a real control plane (etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler) inside the fabric namespace of a {@code io.vpccni.it.vpc.VpcBox}, reached
 * by the nodes through the simulated network, and on each node namespace a containerd and a kubelet in a mount
 * namespace of the node's own; the project's image imported into each node's containerd and its DaemonSet, RBAC, CRD
 * and conflist applied from {@code deploy/} ({@code KubeInABox}). {@code ControlPlane}, {@code KubeNode},
 * {@code Pki}, {@code Daemon} and {@code KubeTools} are its parts.
 *
 * <p>I/O: namespaces, mount namespaces, processes, cgroups, certificates, the emulator; needs root and the
 * binaries {@code ./vpc-cni test} installs. Never touches the root namespace's links, routes, rules or iptables; the
 * only things it leaves in the root mount namespace are empty directories it mounts over inside the nodes' own.
 *
 * <p>Used by test-localstack's tests ({@code it.kube}) and by {@code ./vpc-cni cluster}. Test code only.
 */
package io.vpccni.it.kube;
