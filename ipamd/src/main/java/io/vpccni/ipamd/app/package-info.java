/**
 * ipamd's composition root and entry point. {@code NodeDaemon} is the composition root: it builds the real
 * collaborators from the process environment (AWS SDK clients, instance metadata, kernel host networking, the
 * Kubernetes link), or takes a test's, and wires the pool, the servers and the loops in the start-up steps of
 * docs/architecture.md, "ipamd's start-up" ({@code StartupSteps} logs each). {@code NodeReadModel} is what the
 * endpoints, metrics and status command read. {@code Main} runs the daemon or the status command and exits; it and
 * {@code status.NodeStatusCommand.main} are the only places in ipamd that read the process environment or exit.
 * {@code NodeNetworking} is the host-networking port, {@code KernelNodeNetworking} its kernel implementation.
 *
 * <p>I/O: everything, through what it composes.
 *
 * <p>Used by nothing in production; test-localstack runs {@code Main} as a process ({@code it.vpc.IpamdProcess}, by
 * class name) and uses {@code NodeDaemon} in its tests.
 */
package io.vpccni.ipamd.app;
