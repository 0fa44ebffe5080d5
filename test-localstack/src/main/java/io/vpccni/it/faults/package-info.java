/**
 * EC2 faults for tests: {@code FaultInjector}, an AWS SDK interceptor that sends a chosen call to a loopback server
 * answering with EC2's error reply ({@code Fault}), so the emulator never sees it and the SDK parses a real error
 * (docs/testing.md, "EC2 faults").
 *
 * <p>I/O: a loopback HTTP server.
 *
 * <p>Used by test-localstack's tests ({@code it.eni}, {@code it.ipamd}). Test code only.
 */
package io.vpccni.it.faults;
