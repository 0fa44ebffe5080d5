/**
 * The project's IPv4 values, one type per concept: {@code Ipv4Address} (32 bits, ordered unsigned) and
 * {@code Ipv4Cidr} (a block with its host bits cleared), their one dotted-quad syntax checked by hand, so that nothing
 * can trigger a DNS lookup; {@code isLiteral} checks it without an exception, and with no stream, for the plugin's
 * path (docs/plugin-startup.md, "Rules for code on the plugin path").
 *
 * <p>Pure: no I/O, JDK only. At the bottom of the module graph so that every module may use it: rpc's message checks,
 * the plugin's result checks and addresses, ipamd (its datastore and host networking), test-localstack's fabric.
 * {@code netlink.api.IpPrefix} converts from and to these.
 */
package io.vpccni.netlink.ip;
