/**
 * The plugin-to-ipamd protocol over its Unix socket: the plugin's {@code IpamClient} (one connection per call, one
 * deadline for the whole call, on netlink's raw socket calls rather than a JDK channel: docs/plugin-startup.md) with
 * its {@code IpamUnreachableException} and {@code IpamTimeoutException}, and ipamd's {@code IpamServer}, which decodes
 * a request, hands it to ipamd's handler and encodes the reply, on the shared {@code rpc.unix} server.
 *
 * <p>I/O: sockets. Depends on {@code rpc.codec}, {@code rpc.message}, {@code rpc.unix}, and on {@code netlink.sys} and
 * {@code netlink.error} for the client's system calls.
 *
 * <p>Used by {@code cni.plugin} (client) and {@code ipamd.app} (server), test-localstack's {@code it.vpc}.
 */
package io.vpccni.rpc.transport;
