/**
 * The kernel side of {@link io.vpccni.netlink.api.Netlink}: {@code KernelNetlink} implements it over
 * {@code NetlinkSocket}, a {@code NETLINK_ROUTE} socket bound in the namespace of the thread that opened it.
 *
 * <p>I/O: the rtnetlink socket, through {@code netlink.sys.LibC}.
 *
 * <p>Used only by {@code netlink.api} ({@code Netlink.open}, {@code openIn}). Nothing outside netlink may use it.
 */
package io.vpccni.netlink.socket;
