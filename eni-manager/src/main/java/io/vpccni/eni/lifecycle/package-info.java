/**
 * The ENI lifecycle of one node: {@code EniManager} creates and attaches ENIs with their addresses (create, attach,
 * DeleteOnTermination), assigns and unassigns IPs and prefixes, detaches and deletes, and enforces the instance type's
 * limits itself. Stateless: callers pass the ENI as they last saw it.
 *
 * <p>No I/O of its own: EC2 through the {@code Ec2Api} port it is given.
 *
 * <p>Used by {@code ipamd.pool} (the pool maintainer) and {@code ipamd.app}.
 */
package io.vpccni.eni.lifecycle;
