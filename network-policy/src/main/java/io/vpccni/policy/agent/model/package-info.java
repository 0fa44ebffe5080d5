/**
 * The node agent's model (docs/network-policy.md, "The node agent"): from the PolicyEndpoints that select local pods
 * and the pods ipamd wired, which pods are isolated in which direction and whom they may exchange what with, as
 * disjoint address and port ranges ready for nftables' interval sets.
 *
 * <p>Pure: functions of their arguments, no I/O, no clock. Addresses are read with {@code netlink.ip}'s one IPv4 syntax
 * (no leading zeros, as upstream's agent reads them with Go's net.ParseCIDR). Used by {@code policy.agent} and
 * {@code policy.agent.nft}.
 */
package io.vpccni.policy.agent.model;
