/**
 * ipamd's composition root and entry point. {@code Main} reads the environment, builds the real collaborators (AWS SDK
 * clients, kernel host networking, the Kubernetes link) and runs the daemon or the status command. It and
 * {@code status.NodeStatusCommand.main} are the only places in ipamd that read the process environment or exit.
 * {@code NodeDaemon} wires the pool, the servers and the loops in the order of docs/architecture.md, "ipamd's
 * start-up". {@code NodeNetworking} is the host-networking port, {@code KernelNodeNetworking} its kernel
 * implementation.
 *
 * <p>I/O: everything, through what it composes.
 *
 * <p>Used by nothing in production; test-localstack runs {@code Main} as a process ({@code it.vpc.IpamdProcess}, by
 * class name) and uses {@code NodeDaemon} in its tests.
 */
package io.vpccni.ipamd.app;
