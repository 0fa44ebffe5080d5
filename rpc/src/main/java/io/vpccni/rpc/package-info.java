/**
 * The plugin-to-ipamd protocol (docs/wire-formats.md section 1) and what both sides share: the messages (sealed
 * {@code IpamRequest} and {@code IpamReply} records, {@code ReasonCode}), their JSON codec ({@code IpamCodec}), the
 * plugin's client ({@code IpamClient}), ipamd's server ({@code IpamServer}) on the Unix-socket transport both of
 * ipamd's servers use ({@code UnixRequestServer}, {@code BoundedServer}, {@code SocketFiles}, and
 * {@code PassedDescriptor} for a descriptor passed with a request), and the host veth name ({@code HostVethName},
 * aws-vpc-cni's, docs/node-contract.md).
 *
 * <p>I/O: the messages, the codec and {@code HostVethName} are pure; {@code IpamClient}, {@code IpamServer},
 * {@code UnixRequestServer}, {@code BoundedServer}, {@code PassedDescriptor} and {@code SocketFiles} do socket and
 * file I/O.
 *
 * <p>Used by {@code cni.plugin} (client), {@code cni.server} (transport), {@code ipamd.rpc} and {@code ipamd.app}
 * (server), test-localstack's {@code it.vpc}. It may depend on netlink only ({@code netlink.sys} and
 * {@code netlink.error} for the client's socket calls and {@code PassedDescriptor}'s recvmsg, {@code netlink.ip} for the messages' address checks): the CNI
 * plugin carries it, so no library and no ipamd code may come in here.
 */
package io.vpccni.rpc;
