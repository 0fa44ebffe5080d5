/**
 * {@code InstanceLimitsSource}: an instance type's network limits from DescribeInstanceTypes, asked once per type,
 * with {@code MAX_ENI} applied.
 *
 * <p>No I/O of its own: EC2 through the {@code Ec2Api} port it is given.
 *
 * <p>Used by {@code ipamd.app}.
 */
package io.vpccni.eni.limits;
