/**
 * Text made safe for a line-oriented log ({@code LogText}): values from requests must not forge a line or repaint a
 * terminal.
 *
 * <p>Pure: no I/O, JDK only.
 *
 * <p>Here, in the module both sides carry, because both logs use it: the plugin's ({@code cni.log}), the plugin
 * server's ({@code cni.server}) and ipamd's ({@code ipamd.app}).
 */
package io.vpccni.rpc.log;
