/**
 * {@code EniSync}: makes the node's ENI view ({@code pool.NodeEnis}) and the datastore match EC2 and instance
 * metadata, at start and every minute (ENIs attached, detached or changed behind ipamd's back).
 *
 * <p>No I/O of its own: it is given EC2's and instance metadata's answers, and has an ENI's host networking set up or
 * torn down through the {@code EniNetworking} it is given.
 *
 * <p>Used by {@code ipamd.app}.
 */
package io.vpccni.ipamd.reconcile;
