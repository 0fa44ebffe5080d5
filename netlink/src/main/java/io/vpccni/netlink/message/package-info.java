/**
 * Encoding and decoding of rtnetlink messages: {@code nlmsghdr}, {@code rtattr} and the per-object structs
 * ({@code ifinfomsg}, {@code ifaddrmsg}, {@code rtmsg}, {@code fib_rule_hdr}, {@code ndmsg}), requests, error replies
 * and multi-part dumps, in native byte order.
 *
 * <p>Pure: bytes in, bytes out, so it is tested without root.
 *
 * <p>Used only by {@code netlink.socket}; it depends on {@code netlink.api} for the value types it encodes. Nothing
 * outside netlink may use it.
 */
package io.vpccni.netlink.message;
