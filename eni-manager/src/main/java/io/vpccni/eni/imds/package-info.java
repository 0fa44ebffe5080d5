/**
 * {@code ImdsInstanceMetadata}: {@link io.vpccni.eni.port.InstanceMetadata} through the AWS SDK's IMDSv2 client
 * (identity, and per MAC: ENI id, device number, subnet, VPC CIDRs, security groups, addresses, prefixes).
 *
 * <p>I/O: HTTP to instance metadata ({@code AWS_EC2_METADATA_SERVICE_ENDPOINT}, default 169.254.169.254).
 *
 * <p>Used by {@code ipamd.app} only.
 */
package io.vpccni.eni.imds;
