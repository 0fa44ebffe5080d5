/**
 * The EC2 emulator: {@code LocalStack} reuses or starts LocalStack on 127.0.0.1:4566 and builds clients for it (the
 * daemon's own EC2 client; SDK clients for the fixtures);
 * {@code TestVpc} gives each test its own VPC, subnets, security group and instance (docs/testing.md, "The EC2
 * emulator").
 *
 * <p>I/O: runs the emulator's script, HTTP to the emulator.
 *
 * <p>Used by {@code it.vpc} and test-localstack's tests. Test code only.
 */
package io.vpccni.it.localstack;
