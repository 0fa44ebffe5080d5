/**
 * A small strict JSON reader (RFC 8259, errors with line and column) and writer, written for a plugin that is a fresh
 * JVM per call and runs interpreted: no BigDecimal, regex, reflection or lambdas (docs/plugin-startup.md).
 *
 * <p>Pure: no I/O, JDK only.
 *
 * <p>Shared by the plugin's two JSON formats, which is why it is a package of its own: the protocol's
 * ({@code rpc.codec}) and the CNI specification's network configurations and results ({@code cni.spec}). ipamd uses
 * Jackson for its own JSON and does not need this.
 */
package io.vpccni.rpc.json;
