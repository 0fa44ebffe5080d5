/**
 * rtnetlink as the rest of the project sees it: the {@link io.vpccni.netlink.api.Netlink} interface (links, addresses,
 * routes in any table, rules, neighbours, each documented by its {@code ip} command equivalent) and its value types
 * ({@code Link}, {@code LinkSpec}, {@code Addr}, {@code Route}, {@code Rule}, {@code Neighbour}, {@code IpPrefix},
 * {@code MacAddress}).
 *
 * <p>I/O: none of its own; the value types are pure. The kernel implementation is {@code netlink.socket}'s
 * {@code KernelNetlink}, whose {@code open()} and {@code openIn(NetNs)} are how callers get a {@code Netlink}; it
 * depends on this package, never the reverse. Everything else talks to the kernel only through that instance.
 *
 * <p>Used by: {@code cni.dataplane} and {@code cni.plugin} (the pod's data plane), {@code ipamd.hostnet} and
 * {@code ipamd.app} (the host side), test-localstack's {@code it.vpc}; inside netlink by {@code message} (it encodes
 * these types) and {@code socket} (it implements the interface). Code outside netlink uses this package, {@code error}
 * and {@code ns}, and of {@code socket} only {@code KernelNetlink.open} and {@code openIn}; never {@code message} or
 * {@code sys} (rpc's client is the one exception, see {@code netlink.sys}). On the CNI plugin's path: docs/plugin-startup.md, "Rules for code on the plugin path".
 */
package io.vpccni.netlink.api;
