/**
 * The host side of the node's networking (docs/node-contract.md): per-ENI route tables and rules
 * ({@code EniNetworkConfigurator}, {@code EniLayout}), node-wide rules ({@code NodeRules}), SNAT and connmark through
 * iptables-restore ({@code SnatRules}, {@code IptablesPlan}, {@code SnatReconciler}), sysctls ({@code NodeSysctls}).
 *
 * <p>I/O: netlink, {@code iptables-restore}/{@code iptables-save} processes, /proc/sys. The desired state is computed
 * by pure functions ({@code EniLayout}, {@code NodeRules.desired}, {@code SnatRules}, {@code IptablesPlan}) and
 * compared with what the kernel reports, so they are tested without root.
 *
 * <p>Used by {@code ipamd.app} ({@code KernelNodeNetworking}).
 */
package io.vpccni.ipamd.hostnet;
