/**
 * The CNI plugin's verbs: {@code Dispatcher} parses an invocation and runs ADD, DEL, CHECK, VERSION, STATUS or GC
 * against ipamd ({@code Ipamd}, over {@code rpc}) and the pod's data plane ({@code cni.dataplane}). {@code Main} is
 * the standalone plugin's entry point and the only class here that exits the process; {@code AotTraining} is the
 * workload of the packaging's AOT training run (docs/plugin-startup.md).
 *
 * <p>I/O: ipamd's socket, the kernel (through {@code cni.dataplane}), the plugin log, stdin and stdout.
 *
 * <p>Used by {@code cni.server} and by {@code ipamd.app} (the daemon runs the same {@code Dispatcher} in its plugin
 * server). On the plugin's start-up path: keep to the rules of docs/plugin-startup.md.
 */
package io.vpccni.cni.plugin;
