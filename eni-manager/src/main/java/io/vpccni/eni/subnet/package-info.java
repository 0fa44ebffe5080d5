/**
 * {@code SubnetSelector}: the subnets new ENIs may go into (the primary ENI's, and with subnet discovery those tagged
 * {@code kubernetes.io/role/cni}, most free first), and a subnet's free address count.
 *
 * <p>No I/O of its own: EC2 through the {@code Ec2Api} port it is given.
 *
 * <p>Used by {@code ipamd.app}, {@code ipamd.pool} (ENI placement) and {@code ipamd.k8s} (custom networking).
 */
package io.vpccni.eni.subnet;
