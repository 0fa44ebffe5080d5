/**
 * The messages of the plugin-to-ipamd protocol (docs/wire-formats.md section 1): the sealed {@code IpamRequest}
 * ({@code AddRequest}, {@code DelRequest}, {@code StatusRequest}, {@code GcRequest}) and {@code IpamReply}
 * ({@code AddOk}, {@code DelOk}, {@code StatusOk}, {@code GcOk}, {@code Failure} with its {@code ReasonCode}) records
 * and {@code AttachmentKey}. Each record checks its fields when constructed ({@code Checks}), so a message that exists
 * is a valid one, whichever side built or decoded it.
 *
 * <p>Pure: no I/O; JDK and {@code netlink.ip} (the address syntax) only. The bottom of rpc: {@code rpc.codec} and
 * {@code rpc.transport} build on it, and it knows neither.
 *
 * <p>Used by {@code cni.plugin} (its {@code Ipamd}), {@code ipamd.rpc} ({@code IpamHandler}), {@code ipamd.policy}
 * (the agent sees a pod's ADD, DEL and GC) and test-localstack's {@code it.vpc}.
 */
package io.vpccni.rpc.message;
