/**
 * A small strict JSON reader (RFC 8259, errors with line and column) and writer, written for a plugin that is a fresh
 * JVM per call and runs interpreted: no BigDecimal, regex, reflection or lambdas (docs/plugin-startup.md).
 *
 * <p>Pure: no I/O.
 *
 * <p>Used by {@code rpc} (the codec) and {@code cni.spec} (network configurations and results). ipamd uses Jackson for
 * its own JSON and does not need this.
 */
package io.vpccni.rpc.json;
