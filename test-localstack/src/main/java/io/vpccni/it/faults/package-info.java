/**
 * EC2 faults for tests: {@code FaultInjector}, a request hook of the daemon's EC2 client
 * ({@code eni.aws.Ec2QueryClient}) that sends a chosen call to a loopback server answering with EC2's error reply
 * ({@code Fault}), so the emulator never sees it and the client parses a real error (docs/testing.md, "EC2 faults").
 *
 * <p>I/O: a loopback HTTP server.
 *
 * <p>Used by test-localstack's tests ({@code it.eni}, {@code it.ipamd}). Test code only.
 */
package io.vpccni.it.faults;
