/**
 * {@code Ec2Failure}, the sealed set of ways an EC2 call fails (throttled, EC2 unavailable, subnet full, limit
 * exceeded, permission denied, not found, other), which the pool turns into failure reasons and node events.
 *
 * <p>Pure: no I/O.
 *
 * <p>Used by every eni-manager package that calls EC2, and by {@code ipamd.pool}, {@code ipamd.k8s} and
 * {@code ipamd.introspect}.
 */
package io.vpccni.eni.error;
