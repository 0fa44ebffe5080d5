/**
 * Test infrastructure shared by the emulator tests and VPC in a box: {@code ScratchDirectory}, a simulated node's
 * working directory, kept after the run with {@code -Dvpccni.keep=true}.
 *
 * <p>I/O: creates and deletes directories.
 *
 * <p>Used by {@code it.vpc} and test-localstack's tests. Test code only (docs/testing.md).
 */
package io.vpccni.it;
