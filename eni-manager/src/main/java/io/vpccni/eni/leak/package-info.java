/**
 * {@code LeakedEniCollector}: deletes ENIs this node created and lost (available, our description and tags, older than
 * the grace period; docs/node-contract.md, "ENIs in EC2"). The caller schedules its sweeps; the constructor starts
 * nothing.
 *
 * <p>No I/O of its own: EC2 through the {@code Ec2Api} port it is given.
 *
 * <p>Used by {@code ipamd.app}.
 */
package io.vpccni.eni.leak;
