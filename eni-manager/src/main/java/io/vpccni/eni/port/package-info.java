/**
 * The two boundaries with AWS: {@code Ec2Api} (the EC2 calls ipamd makes) and {@code InstanceMetadata} (IMDS). They
 * take and return {@code eni.model} types and throw {@code eni.error.Ec2Failure}, never SDK types, so the rest of the
 * project can be tested against other implementations.
 *
 * <p>Interfaces only: the I/O is in their implementations ({@code eni.aws}, {@code eni.imds}).
 *
 * <p>Implemented by {@code eni.aws} and {@code eni.imds}; used by {@code eni.leak}, {@code eni.lifecycle},
 * {@code eni.limits}, {@code eni.subnet} and {@code ipamd.app}.
 */
package io.vpccni.eni.port;
