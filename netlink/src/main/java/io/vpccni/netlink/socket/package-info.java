/**
 * The kernel side of {@link io.vpccni.netlink.api.Netlink}: {@code KernelNetlink} implements it over
 * {@code NetlinkSocket}, a {@code NETLINK_ROUTE} socket bound in the namespace of the thread that opened it.
 *
 * <p>I/O: the rtnetlink socket, through {@code netlink.sys.LibC}.
 *
 * <p>{@code KernelNetlink.open()} and {@code KernelNetlink.openIn(NetNs)} are how every user of netlink gets a
 * {@code Netlink} ({@code cni.dataplane}, {@code ipamd.app}, tests); nothing outside netlink uses anything else here,
 * and callers keep the {@code Netlink} interface as their type.
 */
package io.vpccni.netlink.socket;
