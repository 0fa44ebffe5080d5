/**
 * One pod's data plane (docs/node-contract.md, "Pod and host data plane"): {@code PodNetwork} builds and removes the
 * veth pair, addresses, routes, neighbour and host rules, with an explicit {@code Rollback} when a step fails;
 * {@code PodNetworkCheck} verifies it for CHECK; {@code Contract} holds aws-vpc-cni's constants (next hop, rule
 * priorities); {@code HostNamespace} is the host side's sysctls.
 *
 * <p>I/O: kernel changes through netlink, sysctls under /proc/sys. {@code Contract} and {@code PodAttachment} are
 * pure.
 *
 * <p>Used by {@code cni.plugin}, and by {@code ipamd.app} ({@code HostNamespace}, the host of the daemon's plugin
 * server).
 */
package io.vpccni.cni.dataplane;
