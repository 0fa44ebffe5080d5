/**
 * The bounded Unix-socket request server every server of the node uses (docs/wire-formats.md, "Both servers share
 * one transport"): {@code UnixRequestServer} reads one request to end of stream, answers and closes, with a size
 * limit and timeouts; {@code BoundedServer} bounds connections, bytes and time on a selector; {@code SocketFiles}
 * binds the socket file safely (0700 directory, 0600 socket renamed into place, a live socket never replaced);
 * {@code PassedDescriptor} takes a descriptor passed with a request (SCM_RIGHTS).
 *
 * <p>I/O: sockets and socket files; {@code PassedDescriptor}'s recvmsg through {@code netlink.sys}. It knows no message
 * format: requests and replies are bytes, so it depends on no other package of rpc.
 *
 * <p>Shared, which is why it stands apart from the IPAM protocol: {@code rpc.transport}'s {@code IpamServer},
 * {@code cni.server}'s plugin server (the shim's frames) and {@code ipamd.introspect}'s HTTP server
 * ({@code BoundedServer}).
 */
package io.vpccni.rpc.unix;
