/**
 * Instance metadata for emulated instances: {@code TestImds} answers IMDSv2 live from the emulator's EC2 state,
 * showing an ENI once its attachment is complete (docs/testing.md, "Instance metadata").
 *
 * <p>I/O: an HTTP server on loopback, EC2 calls to the emulator.
 *
 * <p>Used by {@code it.vpc} and test-localstack's tests. Test code only.
 */
package io.vpccni.it.imds;
