/**
 * The CNI plugin run inside ipamd: {@code PluginServer} answers the C shim on {@code plugin.sock} by running the
 * plugin's {@code Dispatcher} on a platform thread per invocation; {@code PluginFrames} is the shim's wire format
 * (docs/wire-formats.md section 2). Why it exists: docs/plugin-startup.md.
 *
 * <p>I/O: a Unix-socket server, and through the dispatcher everything a plugin run does. {@code PluginFrames} is pure.
 *
 * <p>Used by {@code ipamd.app} only; nothing in {@code cni} depends on it.
 */
package io.vpccni.cni.server;
