/**
 * The JSON form of the plugin-to-ipamd messages: {@code IpamCodec} encodes and decodes every {@code rpc.message}
 * type with {@code rpc.json}, field by field ({@code Fields}, over the parsed {@code JsonTree}); {@code Protocol} holds
 * the protocol's constants (version, message limit, default socket path and timeouts). A message that does not decode
 * is a {@code ProtocolException} naming what is wrong; another protocol version is the {@code VersionMismatchException}
 * subtype, so callers can say "upgrade" rather than "bug".
 *
 * <p>Pure: bytes in, messages out. Depends on {@code rpc.message} and {@code rpc.json}, never on
 * {@code rpc.transport}.
 *
 * <p>Used by {@code rpc.transport}, {@code cni.plugin} (the errors it maps to CNI errors, the default socket path) and
 * {@code cni.server} (the server I/O timeout).
 */
package io.vpccni.rpc.codec;
