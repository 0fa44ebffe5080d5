/**
 * Kernel errors as types: {@code Errno} (symbolic names without {@code strerror}) and {@code NetlinkException} with a
 * subtype for each errno callers branch on (no such object, already exists, ...).
 *
 * <p>Pure: no I/O.
 *
 * <p>Used by netlink's {@code api}, {@code ns}, {@code socket} and {@code sys}, by {@code rpc.transport} (its client
 * maps socket errno values) and {@code rpc.unix}, by {@code cni.dataplane}, {@code cni.plugin}, {@code ipamd.hostnet} and test-localstack's
 * {@code it.vpc}.
 */
package io.vpccni.netlink.error;
